#!/usr/bin/python3
"""grpc.testing.TestService on Python grpcio (Debian's python3-grpcio), for the AstralytiQ
client to run the interop cases against. Implements the server features of grpc's
doc/interop-test-descriptions.md: payload sizes, echoed status and metadata, interval_us.

Usage: /usr/bin/python3 server.py [--port=PORT]  (0, the default, picks a free port)
Prints "LISTENING <port>" once it accepts calls; stops on SIGTERM or SIGINT.
"""

import argparse
import signal
import threading
import time
from concurrent import futures

import grpc

from interop_stubs import empty_pb2, messages_pb2, test_pb2_grpc

ECHO_INITIAL_KEY = "x-grpc-test-echo-initial"
ECHO_TRAILING_KEY = "x-grpc-test-echo-trailing-bin"
_CODES = {code.value[0]: code for code in grpc.StatusCode}


def _payload(size, context):
    if size < 0:
        context.abort(grpc.StatusCode.INVALID_ARGUMENT, f"payload size {size} is negative")
    return messages_pb2.Payload(type=messages_pb2.COMPRESSABLE, body=bytes(size))


def _echo_metadata(context):
    received = dict(context.invocation_metadata())
    if ECHO_INITIAL_KEY in received:
        context.send_initial_metadata(((ECHO_INITIAL_KEY, received[ECHO_INITIAL_KEY]),))
    if ECHO_TRAILING_KEY in received:
        context.set_trailing_metadata(((ECHO_TRAILING_KEY, received[ECHO_TRAILING_KEY]),))


def _check_request(request, context):
    if request.response_type != messages_pb2.COMPRESSABLE:
        context.abort(grpc.StatusCode.INVALID_ARGUMENT, f"payload type {request.response_type} is not supported")
    if request.HasField("response_status") and request.response_status.code != 0:
        code = _CODES.get(request.response_status.code, grpc.StatusCode.UNKNOWN)
        context.abort(code, request.response_status.message)


def _respond(request, context):
    _check_request(request, context)
    for parameters in request.response_parameters:
        if parameters.interval_us > 0:
            time.sleep(parameters.interval_us / 1e6)
        yield messages_pb2.StreamingOutputCallResponse(payload=_payload(parameters.size, context))


class TestService(test_pb2_grpc.TestServiceServicer):
    # UnimplementedCall is left to the generated servicer, which answers UNIMPLEMENTED.

    def EmptyCall(self, request, context):
        return empty_pb2.Empty()

    def UnaryCall(self, request, context):
        _echo_metadata(context)
        _check_request(request, context)
        return messages_pb2.SimpleResponse(payload=_payload(request.response_size, context))

    def StreamingOutputCall(self, request, context):
        _echo_metadata(context)
        yield from _respond(request, context)

    def StreamingInputCall(self, request_iterator, context):
        _echo_metadata(context)
        total = sum(len(request.payload.body) for request in request_iterator)
        return messages_pb2.StreamingInputCallResponse(aggregated_payload_size=total)

    def FullDuplexCall(self, request_iterator, context):
        _echo_metadata(context)
        for request in request_iterator:
            yield from _respond(request, context)

    def HalfDuplexCall(self, request_iterator, context):
        _echo_metadata(context)
        for request in list(request_iterator):
            yield from _respond(request, context)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args()

    server = grpc.server(futures.ThreadPoolExecutor(max_workers=16))
    test_pb2_grpc.add_TestServiceServicer_to_server(TestService(), server)
    port = server.add_insecure_port(f"{args.host}:{args.port}")
    if port == 0:
        raise SystemExit(f"could not listen on {args.host}:{args.port}")
    server.start()

    stopped = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopped.set())
    print(f"LISTENING {port}", flush=True)
    stopped.wait()
    server.stop(grace=1).wait()


if __name__ == "__main__":
    main()
