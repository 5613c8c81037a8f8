#!/usr/bin/python3
"""The client side of grpc's interop test cases on Python grpcio (Debian's python3-grpcio),
run against the AstralytiQ server (or any grpc.testing.TestService server).

Usage: /usr/bin/python3 client.py --server_port=PORT --test_case=NAME [--server_host=HOST]
Prints "PASS <case>" and exits 0, or prints "FAIL <case>: <reason>" and exits 1.
"""

import argparse
import queue
import sys

import grpc

from interop_stubs import empty_pb2, messages_pb2, test_pb2_grpc

ECHO_INITIAL_KEY = "x-grpc-test-echo-initial"
ECHO_TRAILING_KEY = "x-grpc-test-echo-trailing-bin"
SPECIAL_STATUS_MESSAGE = "\t\ntest with whitespace\r\nand Unicode BMP \u263a and non-BMP \U0001f608\t\n"
REQUEST_SIZES = (27182, 8, 1828, 45904)
RESPONSE_SIZES = (31415, 9, 2653, 58979)
# Above the 4 MiB default receive limit of every gRPC implementation.
OVERSIZED_MESSAGE_BYTES = 5 * 1024 * 1024
CALL_TIMEOUT = 20  # seconds; only so a broken server fails a case instead of hanging it


class Failure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise Failure(message)


def zeros(size):
    return messages_pb2.Payload(body=bytes(size))


def check_zeros(payload, size):
    check(len(payload.body) == size, f"payload of {len(payload.body)} bytes, expected {size}")
    check(payload.body.count(0) == size, "payload is not all zeros")


def expect_failure(call):
    try:
        call()
    except grpc.RpcError as error:
        return error
    raise Failure("the call succeeded, expected it to fail")


def check_status(error, code, message=None, what="call"):
    check(error.code() == code, f"{what}: status {error.code()} ({error.details()!r}), expected {code}")
    if message is not None:
        check(error.details() == message, f"{what}: status message {error.details()!r}, expected {message!r}")


class Pipe:
    """A request iterator the test feeds one message at a time (grpcio pulls from it on its own thread)."""

    _END = object()

    def __init__(self):
        self._queue = queue.Queue()

    def add(self, message):
        self._queue.put(message)

    def close(self):
        self._queue.put(self._END)

    def __iter__(self):
        return self

    def __next__(self):
        message = self._queue.get()
        if message is self._END:
            raise StopIteration()
        return message


def empty_unary(stub, channel):
    response = stub.EmptyCall(empty_pb2.Empty(), timeout=CALL_TIMEOUT)
    check(isinstance(response, empty_pb2.Empty), f"response is {type(response)}")


def large_unary(stub, channel):
    request = messages_pb2.SimpleRequest(response_size=314159, payload=zeros(271828))
    response = stub.UnaryCall(request, timeout=CALL_TIMEOUT)
    check_zeros(response.payload, 314159)


def client_streaming(stub, channel):
    requests = (messages_pb2.StreamingInputCallRequest(payload=zeros(size)) for size in REQUEST_SIZES)
    response = stub.StreamingInputCall(requests, timeout=CALL_TIMEOUT)
    check(response.aggregated_payload_size == 74922, f"aggregated_payload_size {response.aggregated_payload_size}, expected 74922")


def server_streaming(stub, channel):
    request = messages_pb2.StreamingOutputCallRequest(
        response_parameters=[messages_pb2.ResponseParameters(size=size) for size in RESPONSE_SIZES])
    call = stub.StreamingOutputCall(request, timeout=CALL_TIMEOUT)
    sizes = []
    for response in call:
        check_zeros(response.payload, len(response.payload.body))
        sizes.append(len(response.payload.body))
    check(tuple(sizes) == RESPONSE_SIZES, f"response sizes {sizes}, expected {list(RESPONSE_SIZES)}")
    check(call.code() == grpc.StatusCode.OK, f"status {call.code()}")


def ping_pong(stub, channel):
    pipe = Pipe()
    call = stub.FullDuplexCall(pipe, timeout=CALL_TIMEOUT)
    for request_size, response_size in zip(REQUEST_SIZES, RESPONSE_SIZES):
        pipe.add(messages_pb2.StreamingOutputCallRequest(
            response_parameters=[messages_pb2.ResponseParameters(size=response_size)],
            payload=zeros(request_size)))
        response = next(call)
        check_zeros(response.payload, response_size)
    pipe.close()
    check(next(call, None) is None, "more than four responses")
    check(call.code() == grpc.StatusCode.OK, f"status {call.code()}")


def empty_stream(stub, channel):
    call = stub.FullDuplexCall(iter(()), timeout=CALL_TIMEOUT)
    check(next(call, None) is None, "a response arrived on an empty stream")
    check(call.code() == grpc.StatusCode.OK, f"status {call.code()}")


def custom_metadata(stub, channel):
    trailing_value = b"\xab\xab\xab"
    metadata = ((ECHO_INITIAL_KEY, "test_initial_metadata_value"), (ECHO_TRAILING_KEY, trailing_value))

    def check_echoed(call, what):
        initial = dict(call.initial_metadata())
        check(initial.get(ECHO_INITIAL_KEY) == "test_initial_metadata_value",
              f"{what}: {ECHO_INITIAL_KEY} not echoed in the response headers (got {initial})")
        trailing = dict(call.trailing_metadata())
        check(trailing.get(ECHO_TRAILING_KEY) == trailing_value,
              f"{what}: {ECHO_TRAILING_KEY} not echoed in the trailers (got {trailing})")

    request = messages_pb2.SimpleRequest(response_size=314159, payload=zeros(271828))
    response, call = stub.UnaryCall.with_call(request, metadata=metadata, timeout=CALL_TIMEOUT)
    check_zeros(response.payload, 314159)
    check_echoed(call, "UnaryCall")

    request = messages_pb2.StreamingOutputCallRequest(
        response_parameters=[messages_pb2.ResponseParameters(size=314159)], payload=zeros(271828))
    call = stub.FullDuplexCall(iter((request,)), metadata=metadata, timeout=CALL_TIMEOUT)
    responses = list(call)
    check(len(responses) == 1, f"FullDuplexCall: {len(responses)} responses, expected 1")
    check_zeros(responses[0].payload, 314159)
    check_echoed(call, "FullDuplexCall")


def _echo_status(stub, message, duplex_too):
    status = messages_pb2.EchoStatus(code=grpc.StatusCode.UNKNOWN.value[0], message=message)
    error = expect_failure(lambda: stub.UnaryCall(messages_pb2.SimpleRequest(response_status=status), timeout=CALL_TIMEOUT))
    check_status(error, grpc.StatusCode.UNKNOWN, message, "UnaryCall")
    if duplex_too:
        call = stub.FullDuplexCall(iter((messages_pb2.StreamingOutputCallRequest(response_status=status),)), timeout=CALL_TIMEOUT)
        error = expect_failure(lambda: list(call))
        check_status(error, grpc.StatusCode.UNKNOWN, message, "FullDuplexCall")


def status_code_and_message(stub, channel):
    _echo_status(stub, "test status message", duplex_too=True)


def special_status_message(stub, channel):
    _echo_status(stub, SPECIAL_STATUS_MESSAGE, duplex_too=False)


def unimplemented_method(stub, channel):
    error = expect_failure(lambda: stub.UnimplementedCall(empty_pb2.Empty(), timeout=CALL_TIMEOUT))
    check_status(error, grpc.StatusCode.UNIMPLEMENTED, what="TestService/UnimplementedCall")


def unimplemented_service(stub, channel):
    other = test_pb2_grpc.UnimplementedServiceStub(channel)
    error = expect_failure(lambda: other.UnimplementedCall(empty_pb2.Empty(), timeout=CALL_TIMEOUT))
    check_status(error, grpc.StatusCode.UNIMPLEMENTED, what="UnimplementedService/UnimplementedCall")


def cancel_after_begin(stub, channel):
    pipe = Pipe()
    future = stub.StreamingInputCall.future(pipe, timeout=CALL_TIMEOUT)
    future.cancel()
    check(future.cancelled(), "the call was not cancelled")
    check(future.code() == grpc.StatusCode.CANCELLED, f"status {future.code()}, expected CANCELLED")
    pipe.close()


def cancel_after_first_response(stub, channel):
    pipe = Pipe()
    call = stub.FullDuplexCall(pipe, timeout=CALL_TIMEOUT)
    pipe.add(messages_pb2.StreamingOutputCallRequest(
        response_parameters=[messages_pb2.ResponseParameters(size=31415)], payload=zeros(27182)))
    response = next(call)
    check_zeros(response.payload, 31415)
    call.cancel()
    error = expect_failure(lambda: next(call))
    check_status(error, grpc.StatusCode.CANCELLED, what="FullDuplexCall")
    pipe.close()


def timeout_on_sleeping_server(stub, channel):
    pipe = Pipe()
    call = stub.FullDuplexCall(pipe, timeout=0.001)
    pipe.add(messages_pb2.StreamingOutputCallRequest(payload=zeros(27182)))
    error = expect_failure(lambda: next(call))
    check_status(error, grpc.StatusCode.DEADLINE_EXCEEDED, what="FullDuplexCall")
    pipe.close()


def oversized_response(stub, channel):
    # The server may send it; this client must refuse to receive it, and the channel must stay usable.
    request = messages_pb2.SimpleRequest(response_size=OVERSIZED_MESSAGE_BYTES)
    error = expect_failure(lambda: stub.UnaryCall(request, timeout=CALL_TIMEOUT))
    check_status(error, grpc.StatusCode.RESOURCE_EXHAUSTED, what="UnaryCall with a 5 MiB response")
    large_unary(stub, channel)


def oversized_request(stub, channel):
    # This client may send it; the server must refuse to receive it, and the channel must stay usable.
    request = messages_pb2.SimpleRequest(response_size=1, payload=zeros(OVERSIZED_MESSAGE_BYTES))
    error = expect_failure(lambda: stub.UnaryCall(request, timeout=CALL_TIMEOUT))
    check_status(error, grpc.StatusCode.RESOURCE_EXHAUSTED, what="UnaryCall with a 5 MiB request")
    large_unary(stub, channel)


CASES = {case.__name__: case for case in (
    empty_unary, large_unary, client_streaming, server_streaming, ping_pong, empty_stream,
    custom_metadata, status_code_and_message, special_status_message, unimplemented_method,
    unimplemented_service, cancel_after_begin, cancel_after_first_response,
    timeout_on_sleeping_server, oversized_response, oversized_request)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server_host", default="127.0.0.1")
    parser.add_argument("--server_port", type=int, required=True)
    parser.add_argument("--test_case", required=True, choices=sorted(CASES))
    parser.add_argument("--use_tls", default="false", choices=["false"])
    args = parser.parse_args()

    with grpc.insecure_channel(f"{args.server_host}:{args.server_port}") as channel:
        stub = test_pb2_grpc.TestServiceStub(channel)
        try:
            CASES[args.test_case](stub, channel)
        except (Failure, grpc.RpcError, StopIteration) as error:
            reason = f"{error.code()}: {error.details()!r}" if isinstance(error, grpc.RpcError) else repr(error) if isinstance(error, StopIteration) else str(error)
            print(f"FAIL {args.test_case}: {reason}", flush=True)
            return 1
    print(f"PASS {args.test_case}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
