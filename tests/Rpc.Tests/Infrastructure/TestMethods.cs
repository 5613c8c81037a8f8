using AstralytiQ.Rpc.Tests.Proto;
using Google.Protobuf;
using Grpc.Core;

namespace AstralytiQ.Rpc.Tests;

/// <summary>Hand-made method descriptions, for paths the generated client does not know.</summary>
public static class TestMethods
{
    public static readonly Marshaller<EchoRequest> RequestMarshaller = Marshallers.Create(m => m.ToByteArray(), EchoRequest.Parser.ParseFrom);

    public static readonly Marshaller<EchoResponse> ResponseMarshaller = Marshallers.Create(m => m.ToByteArray(), EchoResponse.Parser.ParseFrom);

    public static Method<EchoRequest, EchoResponse> Unary(string service, string method) =>
        new(MethodType.Unary, service, method, RequestMarshaller, ResponseMarshaller);

    public static Method<EchoRequest, EchoResponse> Of(MethodType type, string service, string method) =>
        new(type, service, method, RequestMarshaller, ResponseMarshaller);
}
