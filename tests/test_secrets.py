from teams_sip.domain.secrets import Secret


def test_secret_never_shows_in_text() -> None:
    code = Secret("123456")
    assert "123456" not in repr(code)
    assert "123456" not in str(code)
    assert "123456" not in f"{code}"
    assert "123456" not in str(ValueError(code))
    assert code.reveal() == "123456"


def test_fingerprint_is_stable_and_hides_value() -> None:
    assert Secret("123456").fingerprint() == Secret("123456").fingerprint()
    assert "123456" not in Secret("123456").fingerprint()
    assert Secret("1").fingerprint() != Secret("2").fingerprint()
