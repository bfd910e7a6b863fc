"""Replace the stock imageio hook, which bundles every one of imageio's ~30 plugins.

Descent Lab writes MP4 through imageio's FFMPEG plugin (gui/recorder.py), which imageio
imports by name at run time, so PyInstaller cannot see it; the Pillow plugin is kept for
imageio's own GIF/PNG path. The other plugins (TIFF, DICOM, FITS, OpenCV, PyAV, FreeImage...)
would only pull in packages the app does not ship.
"""

from PyInstaller.utils.hooks import copy_metadata

# imageio/__init__.py reads its own version with importlib.metadata.version("imageio")
datas = copy_metadata("imageio")
hiddenimports = ["imageio.plugins.ffmpeg", "imageio.plugins.pillow"]
