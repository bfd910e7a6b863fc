"""Every size limit of Descent Lab, written once.

The command line, lesson files, GUI fields, autosave and the resource guards all read
their caps from here, so a limit changes in one place and every refusal quotes the same
number. Limits on *counts* (runs, columns, layers, characters) keep the window usable on a
1280x720 projector; limits on *cost* (bytes, seconds) keep a 2-core, 24 GB laptop
responsive with room for the GUI (:mod:`engine.guards` checks them before anything big is
built).
"""

from __future__ import annotations

# ----------------------------------------------------------------------------- steps
#: Most updates one headless command may ask for (a million Adam steps of the default
#: network take about an hour on one core; more is a typo, not a lesson).
MAX_STEPS = 1_000_000

# ----------------------------------------------------------------------------- seeds
#: Largest seed: numpy's ``default_rng`` takes whole numbers >= 0; 32 bits is what a
#: spin box and a lesson file can hold.
SEED_MAX = 2**32 - 1

# ----------------------------------------------------------------------------- races
#: Most runs in one race (legend and table stay readable on a projector).
MAX_RUNS = 16

# ----------------------------------------------------------------------------- networks
#: Most columns a lab shows side by side, and so a lesson may hold.
MAX_COLUMNS = 6
#: Most columns of a headless comparison (``--compare``/``--vary`` grids, comparison files).
MAX_HEADLESS_COLUMNS = 32
#: Most hidden layers of one network.
MAX_DEPTH = 64
#: Widest layer (inputs, hidden units or outputs).
MAX_WIDTH = 4096
#: Most data points of a task (training plus validation).
MAX_POINTS = 100_000

# ----------------------------------------------------------------------------- maps
#: Most grid points of a loss map (a 1024 x 1024 heatmap).
MAX_MAP_POINTS = 1024 * 1024

# ----------------------------------------------------------------------------- averaging
#: Longest series (and momentum replay) of the averaging lesson: ten years of days.
MAX_AVERAGING_POINTS = 3650
#: Most averages drawn over one series (each is a line in the legend).
MAX_AVERAGING_BETAS = 6
#: Largest beta: a window of 1000 values, already longer than a default series.
MAX_AVERAGING_BETA = 0.999

# ----------------------------------------------------------------------------- text
#: Longest lesson title (one line of the lesson banner).
MAX_TITLE_CHARS = 120
#: Longest lesson text (a few paragraphs for the class).
MAX_LESSON_CHARS = 4_000
#: Longest run or column label (legend entry).
MAX_LABEL_CHARS = 60
#: Largest lesson file read from disk.
MAX_LESSON_FILE_BYTES = 256 * 1024
#: Deepest nesting of objects and lists in a lesson file (the format itself needs 6).
MAX_JSON_DEPTH = 16
#: Longest list anywhere in a lesson file (runs and columns have their own, smaller caps).
MAX_LIST_ITEMS = 256
#: Longest free-text value (names, parameter values) in a file or on the command line.
MAX_TEXT_CHARS = 200

# ----------------------------------------------------------------------------- cost
#: Memory one network comparison, race or map may take (the GUI and Python need the rest
#: of a modest machine's share; 1.5 GiB is far above every shipped lesson).
MEMORY_BUDGET_BYTES = 3 * 2**29
#: Estimated wall time one step (all columns) or one snapshot may take, in seconds: more
#: and the lab stops feeling live, and a close has to wait for it.
STEP_SECONDS_BUDGET = 5.0
#: Floating-point operations per second assumed for the time estimate. numpy float64 with
#: one BLAS thread measured 10-30 GFLOP/s on an idle core of the development machine and
#: a third of that with the machine loaded (bench/guard_bench.py prints estimate and
#: measurement side by side); 8 GFLOP/s leaves room for a slower laptop.
ASSUMED_FLOPS = 8.0e9
#: Python and small-array overhead per layer of one column: per step, per snapshot.
LAYER_STEP_SECONDS = 3e-4
LAYER_SNAPSHOT_SECONDS = 2e-3
