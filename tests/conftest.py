import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import junheng  # noqa: E402, F401 - sets OPENPYXL_LXML before any test module imports openpyxl
