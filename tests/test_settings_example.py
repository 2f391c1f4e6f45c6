"""Every setting teams_sip/config.py reads is in local.settings.json.example, with an explanation."""

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_setting_read_is_documented_in_the_example() -> None:
    source = (ROOT / "teams_sip" / "config.py").read_text()
    read = set(re.findall(r'v\.\w+\("([A-Z][A-Z0-9_]+)"', source))
    example = json.loads((ROOT / "local.settings.json.example").read_text())
    assert len(read) > 30
    assert read <= set(example["Values"]), sorted(read - set(example["Values"]))
    assert all(example["_comments"].get(name) for name in read)
