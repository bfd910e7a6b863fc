"""Replace PyInstaller's pygments hook, which bundles every lexer, formatter and style.

superqt imports pygments at load (for its CodeSyntaxHighlight widget, which Descent Lab does
not use). The stock hook collects all of pygments' dynamically loaded plugins, and its image
formatter drags in Pillow and its native libraries (about 15 MB). The modules superqt imports
by name are still found by PyInstaller's import analysis; only the dynamic ones are left out.
"""

hiddenimports: list[str] = []
excludedimports = ["PIL"]
