"""Replace the stock PIL.Image hook, which bundles all ~45 of Pillow's image-format plugins.

PIL.Image loads its format plugins by name, so PyInstaller cannot see them; the app needs
only GIF (gui/recorder.py writes frames with GifImagePlugin) and PNG. Image.preinit's own
imports (BMP, GIF, JPEG, PPM, PNG) are static and still found; any other format Pillow
tries to register is skipped, as Pillow skips plugins that fail to import.
"""

hiddenimports = ["PIL.GifImagePlugin", "PIL.PngImagePlugin"]
