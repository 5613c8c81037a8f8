#!/usr/bin/python3
"""Calls grpc.health.v1.Health/Check once with a real gRPC client (Debian's python3-grpcio)
and checks the answer is status OK with HealthCheckResponse { status: SERVING }, byte for byte.
No generated stubs: the request is the empty message and the response is compared raw, so
the check also holds for the bare Kestrel endpoint, which has no protobuf at all.

Usage: /usr/bin/python3 check_health.py PORT [NAME]
"""

import sys

import grpc

SERVING = b"\x08\x01"  # field 1 (status), varint 1 (SERVING)


def main():
    port, name = sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else sys.argv[1]
    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        check = channel.unary_unary(
            "/grpc.health.v1.Health/Check",
            request_serializer=lambda _: b"",
            response_deserializer=lambda data: data)
        try:
            response, call = check.with_call(None, timeout=10)
        except grpc.RpcError as error:
            print(f"{name}: Check failed: {error.code()} {error.details()!r}")
            return 1
        if call.code() != grpc.StatusCode.OK or response != SERVING:
            print(f"{name}: Check answered {call.code()} with {response!r}, expected OK with {SERVING!r}")
            return 1
    print(f"{name}: Check answered OK, SERVING (grpcio {grpc.__version__})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
