"""JWT verify: tokenward beside PyJWT and joserfc, in one process.

Run: python3 python/bench/bench_jwt.py   (prints a Markdown table)
Each row verifies the same token with a reused verifier/key object; best of 5 repeats.
"""

from __future__ import annotations

import time

import jwt as pyjwt
from cryptography.hazmat.primitives import serialization
from joserfc import jwt as jose_jwt
from joserfc.jwk import ECKey, OctKey, OKPKey, RSAKey

from tokenward import JwtIssuer, JwtKey, JwtVerifier


def timer(fn, *args):
    """A function timing `n` calls of `fn` with no argument or one; the call is written out in
    the loop (no argument unpacking, no lambda in between, which would add a Python call)."""
    if args:
        (arg,) = args

        def run(n: int) -> float:
            t = time.perf_counter()
            for _ in range(n):
                fn(arg)
            return time.perf_counter() - t

    else:

        def run(n: int) -> float:
            t = time.perf_counter()
            for _ in range(n):
                fn()
            return time.perf_counter() - t

    return run


def best_rate(fn, *args, seconds: float = 0.4, repeats: int = 5) -> float:
    """Seconds per call of `fn(*args)`: the loop is sized to a quarter of `seconds`, then the
    best of `repeats` runs."""
    run = timer(fn, *args)
    n = 1
    while run(n) <= seconds / 4:  # calibrate
        n *= 2
    return min(run(n) for _ in range(repeats)) / n


def main() -> None:
    rows = []
    for alg in ["HS256", "RS256", "ES256", "EdDSA"]:
        if alg == "HS256":
            secret = b"s" * 32
            key = JwtKey.hmac(secret, alg)
            pyjwt_key = secret
            jose_key = OctKey.import_key(secret)
        else:
            key = JwtKey.generate(alg)
            pem = key.to_public_pem()
            pyjwt_key = serialization.load_pem_public_key(pem.encode())
            jose_key = {"RS256": RSAKey, "ES256": ECKey, "EdDSA": OKPKey}[alg].import_key(pem)
        token = JwtIssuer(key, issuer="iss", audience="aud").issue({"scope": "read"}, subject="u1")
        tw = JwtVerifier(key, algorithms=[alg], issuers="iss", audiences="aud")
        t_tw = best_rate(lambda: tw.verify(token))
        t_py = best_rate(lambda: pyjwt.decode(token, pyjwt_key, algorithms=[alg], audience="aud", issuer="iss"))
        t_jo = best_rate(lambda: jose_jwt.decode(token, jose_key, algorithms=[alg]))
        rows.append((alg, t_tw, t_py, t_jo))
    print("| verify | tokenward | PyJWT | joserfc | PyJWT / tokenward | joserfc / tokenward |")
    print("|---|---|---|---|---|---|")
    for alg, a, b, c in rows:
        print(f"| {alg} | {a * 1e6:.2f} µs | {b * 1e6:.2f} µs | {c * 1e6:.2f} µs | {b / a:.1f}x | {c / a:.1f}x |")
    binding_overhead_token()


def binding_overhead_token() -> None:
    """The token of `cargo run --release -p tokenward --example jwt_ratio` (same secret, claims
    and policy), so the Python call can be set against the same verify in Rust."""
    key = JwtKey.hmac(bytes([7]) * 32, "HS256")
    issuer = JwtIssuer(key, issuer="iss", audience="aud")
    token = issuer.issue({"scope": "read write", "tenant": "acme"}, subject="u1")
    verifier = JwtVerifier(key, algorithms=["HS256"], issuers="iss", audiences="aud")
    print(f"\nHS256 verify of the jwt_ratio token (dict out): {best_rate(verifier.verify, token, repeats=7) * 1e9:.0f} ns")


if __name__ == "__main__":
    main()
