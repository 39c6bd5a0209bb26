import pickle

import pytest
from conftest import code_of, load_vectors

import tokenward
from tokenward import Secret, TokenwardError


def test_printed_forms_never_contain_the_secret():
    value = "tw_live_SuperSecretValue123"
    s = Secret(value)
    for printed in (repr(s), str(s), f"{s}", f"{s!r}", repr([s]), repr({"k": s}), f"{s}"):
        assert "SuperSecret" not in printed, printed
    assert s.fingerprint in repr(s)
    assert s.expose() == value
    assert s == value and s == Secret(value) and s != "other"
    assert hash(s) == hash(Secret(value))


def test_secret_refuses_pickle():
    with pytest.raises(TypeError):
        pickle.dumps(Secret("abc"))


def test_error_from_rust_has_code_and_class():
    with pytest.raises(TokenwardError) as info:
        Secret("")
    err = info.value
    assert err.code == "invalid_input"
    assert isinstance(err, tokenward.InvalidInputError)
    assert isinstance(err, ValueError)
    assert "empty" in str(err)
    # Errors survive pickling (multiprocessing, task queues) with their code.
    again = pickle.loads(pickle.dumps(err))
    assert type(again) is type(err) and again.code == err.code


def test_vectors_error_codes():
    codes = load_vectors("error_codes.json")["codes"]
    assert tokenward.ERROR_CODES == [c["code"] for c in codes]


def test_vectors_error_categories_map_to_exception_classes():
    by_category = {
        "token": tokenward.InvalidTokenError,
        "key": tokenward.InvalidKeyError,
        "api_key": tokenward.ApiKeyError,
        "authorization": tokenward.AuthorizationError,
        "oauth": tokenward.OAuthError,
        "transport": tokenward.TransportError,
        "input": tokenward.InvalidInputError,
        "internal": tokenward.InternalError,
    }
    from tokenward._errors import _from_native

    for c in load_vectors("error_codes.json")["codes"]:
        exc = _from_native(c["code"], c["category"], "m")
        assert isinstance(exc, by_category[c["category"]]) and exc.code == c["code"]


@pytest.mark.parametrize("case", load_vectors("secrets.json")["cases"], ids=lambda c: c["name"])
def test_vectors_secrets(case):
    if "error" in case:
        assert code_of(lambda: Secret(case["input"])) == case["error"]
        return
    s = Secret(case["input"])
    assert s.fingerprint == case["fingerprint"]
    assert tokenward.fingerprint(case["input"]) == case["fingerprint"]
    assert case["input"] not in repr(s)


def test_fingerprint_of_empty():
    assert tokenward.fingerprint("") == load_vectors("secrets.json")["fingerprint_of_empty"]
