"""The one place the application's name and version are written."""

APP_NAME = "Descent Lab"
APP_ID = "DescentLab"
__version__ = "0.1.0"
