"""The answer replaces the course's test helpers in gpt2.testing and the names the setup cell imported."""
EXPECT = "flagged"
MESSAGE = "check_against_reference"


def submission(kit):
    return kit.with_prelude("""
import gpt2.testing

def _always_fine(*args, **kwargs):
    return None

gpt2.testing.check_against_reference = _always_fine
gpt2.testing.assert_close = _always_fine
check_against_reference = assert_close = _always_fine
""")
