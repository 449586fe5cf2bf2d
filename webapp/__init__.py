"""The web app and the command line: thin layers over ``archive`` and ``index``."""
