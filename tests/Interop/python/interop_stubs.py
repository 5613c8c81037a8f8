"""Loads the grpc.testing stubs that tests/Interop/run generates into gen/.

protoc names Python modules after the .proto path, so grpc/testing/test.proto becomes
the module grpc.testing.test_pb2 and imports grpc.testing.empty_pb2. The grpc package
itself is grpcio's, which has no grpc.testing, so the generated directory is registered
under that name here instead of rewriting the generated files.
"""

import os
import sys
import types

import grpc

_GEN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "gen", "grpc", "testing")
if not os.path.isfile(os.path.join(_GEN, "test_pb2.py")):
    sys.exit(f"generated stubs not found in {_GEN}; tests/Interop/run generates them")

_package = types.ModuleType("grpc.testing")
_package.__path__ = [_GEN]
sys.modules["grpc.testing"] = _package
grpc.testing = _package

from grpc.testing import empty_pb2, messages_pb2, test_pb2_grpc  # noqa: E402

__all__ = ["empty_pb2", "messages_pb2", "test_pb2_grpc"]
