using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Core;
using V1 = Grpc.Reflection.V1;
using V1Alpha = Grpc.Reflection.V1Alpha;

namespace AstralytiQ.Rpc.Tests;

public sealed class ReflectionTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private static readonly string[] MappedServices =
    [
        "grpc.health.v1.Health",
        "grpc.reflection.v1.ServerReflection",
        "grpc.reflection.v1alpha.ServerReflection",
        "rpctest.v1.TestService",
    ];

    [Fact]
    public async Task List_services_names_every_mapped_service_in_v1_and_v1alpha()
    {
        var v1 = await AskV1(new V1.ServerReflectionRequest { ListServices = "" });
        var v1Alpha = await AskV1Alpha(new V1Alpha.ServerReflectionRequest { ListServices = "" });

        Assert.Equal(MappedServices, v1.ListServicesResponse.Service.Select(s => s.Name).Order(StringComparer.Ordinal));
        Assert.Equal(MappedServices, v1Alpha.ListServicesResponse.Service.Select(s => s.Name).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("rpctest.v1.TestService")]
    [InlineData("rpctest.v1.TestService.Duplex")]
    [InlineData("rpctest.v1.EchoRequest")]
    [InlineData("rpctest.v1.EchoResponse.MetadataEntry")]
    [InlineData("rpctest.v1.EchoResponse.MetadataEntry.Kind")]
    [InlineData("rpctest.v1.Priority")]
    [InlineData(".rpctest.v1.EchoRequest")]
    public async Task File_containing_a_symbol_comes_with_every_transitive_dependency(string symbol)
    {
        var response = await AskV1(new V1.ServerReflectionRequest { FileContainingSymbol = symbol });

        var files = Build(response.FileDescriptorResponse.FileDescriptorProto);
        var root = files.Single(f => f.Name == "rpctest.proto");
        Assert.Equal(["google/protobuf/duration.proto", "google/protobuf/timestamp.proto", "rpctest.proto", "rpctest_common.proto"], files.Select(f => f.Name).Order(StringComparer.Ordinal));
        Assert.Equal("rpctest.proto", FileDescriptorProto.Parser.ParseFrom(response.FileDescriptorResponse.FileDescriptorProto[0]).Name);
        var service = Assert.Single(root.Services);
        Assert.Equal(["Unary", "ClientStream", "ServerStream", "Duplex"], service.Methods.Select(m => m.Name));
        Assert.True(service.FindMethodByName("Duplex").IsClientStreaming);
        var request = root.FindTypeByName<MessageDescriptor>("EchoRequest");
        Assert.Equal("google.protobuf.Timestamp", request.FindFieldByName("sent_at").MessageType.FullName);
        Assert.Equal("google.protobuf.Duration", request.FindFieldByName("trace").MessageType.FindFieldByName("elapsed").MessageType.FullName);
        Assert.Equal("rpctest.v1.Priority", request.FindFieldByName("priority").EnumType.FullName);
        Assert.Equal(["KIND_TEXT", "KIND_BINARY"], root.FindTypeByName<MessageDescriptor>("EchoResponse").NestedTypes.Single(t => t.Name == "MetadataEntry").EnumTypes.Single().Values.Select(v => v.Name));
    }

    [Fact]
    public async Task Symbol_in_a_dependency_returns_that_file_and_its_own_dependencies()
    {
        var response = await AskV1(new V1.ServerReflectionRequest { FileContainingSymbol = "rpctest.v1.Trace" });

        var files = Build(response.FileDescriptorResponse.FileDescriptorProto);
        Assert.Equal(["google/protobuf/duration.proto", "rpctest_common.proto"], files.Select(f => f.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Standard_services_are_described_too()
    {
        var response = await AskV1(new V1.ServerReflectionRequest { FileContainingSymbol = "grpc.health.v1.Health.Watch" });

        var file = Assert.Single(Build(response.FileDescriptorResponse.FileDescriptorProto));
        Assert.Equal("grpc/health/v1/health.proto", file.Name);
        Assert.True(file.Services.Single().FindMethodByName("Watch").IsServerStreaming);
    }

    [Fact]
    public async Task File_by_filename_returns_the_file_with_its_dependencies()
    {
        var response = await AskV1(new V1.ServerReflectionRequest { FileByFilename = "rpctest.proto" });
        var wellKnown = await AskV1(new V1.ServerReflectionRequest { FileByFilename = "google/protobuf/timestamp.proto" });

        Assert.Equal(4, Build(response.FileDescriptorResponse.FileDescriptorProto).Count);
        Assert.Equal("google/protobuf/timestamp.proto", Assert.Single(Build(wellKnown.FileDescriptorResponse.FileDescriptorProto)).Name);
    }

    [Theory]
    [InlineData("rpctest.v1.NoSuchThing")]
    [InlineData("rpctest.v1.TestService.NoSuchMethod")]
    [InlineData("")]
    public async Task Unknown_symbol_is_an_error_response_NOT_FOUND(string symbol)
    {
        var v1 = await AskV1(new V1.ServerReflectionRequest { FileContainingSymbol = symbol });
        var v1Alpha = await AskV1Alpha(new V1Alpha.ServerReflectionRequest { FileContainingSymbol = symbol });

        Assert.Equal((int)StatusCode.NotFound, v1.ErrorResponse.ErrorCode);
        Assert.Equal((int)StatusCode.NotFound, v1Alpha.ErrorResponse.ErrorCode);
    }

    [Fact]
    public async Task Unknown_file_is_an_error_response_NOT_FOUND()
    {
        var response = await AskV1(new V1.ServerReflectionRequest { FileByFilename = "nope.proto" });

        Assert.Equal((int)StatusCode.NotFound, response.ErrorResponse.ErrorCode);
    }

    [Fact]
    public async Task Extension_queries_are_answered_UNIMPLEMENTED()
    {
        var response = await AskV1(new V1.ServerReflectionRequest { AllExtensionNumbersOfType = "rpctest.v1.EchoRequest" });

        Assert.Equal((int)StatusCode.Unimplemented, response.ErrorResponse.ErrorCode);
    }

    [Fact]
    public async Task V1alpha_answers_file_containing_symbol_like_v1()
    {
        var response = await AskV1Alpha(new V1Alpha.ServerReflectionRequest { FileContainingSymbol = "rpctest.v1.EchoResponse.MetadataEntry" });

        Assert.Equal(4, Build(response.FileDescriptorResponse.FileDescriptorProto).Count);
    }

    [Fact]
    public async Task One_reflection_stream_answers_many_questions_in_order_echoing_each_request()
    {
        using var call = new V1.ServerReflection.ServerReflectionClient(fixture.Channel).ServerReflectionInfo();
        var requests = new[]
        {
            new V1.ServerReflectionRequest { Host = "h", ListServices = "" },
            new V1.ServerReflectionRequest { FileContainingSymbol = "rpctest.v1.Priority" },
            new V1.ServerReflectionRequest { FileByFilename = "missing.proto" },
        };

        foreach (var request in requests)
        {
            await call.RequestStream.WriteAsync(request);
        }
        await call.RequestStream.CompleteAsync();
        var responses = await call.ResponseStream.ReadAllAsync().ToListAsync();

        Assert.Equal(requests, responses.Select(r => r.OriginalRequest));
        Assert.Equal("h", responses[0].ValidHost);
        Assert.Equal([V1.ServerReflectionResponse.MessageResponseOneofCase.ListServicesResponse, V1.ServerReflectionResponse.MessageResponseOneofCase.FileDescriptorResponse, V1.ServerReflectionResponse.MessageResponseOneofCase.ErrorResponse],
            responses.Select(r => r.MessageResponseCase));
    }

    private async Task<V1.ServerReflectionResponse> AskV1(V1.ServerReflectionRequest request)
    {
        using var call = new V1.ServerReflection.ServerReflectionClient(fixture.Channel).ServerReflectionInfo();
        await call.RequestStream.WriteAsync(request);
        await call.RequestStream.CompleteAsync();
        Assert.True(await call.ResponseStream.MoveNext());
        var response = call.ResponseStream.Current;
        Assert.False(await call.ResponseStream.MoveNext());
        return response;
    }

    private async Task<V1Alpha.ServerReflectionResponse> AskV1Alpha(V1Alpha.ServerReflectionRequest request)
    {
        using var call = new V1Alpha.ServerReflection.ServerReflectionClient(fixture.Channel).ServerReflectionInfo();
        await call.RequestStream.WriteAsync(request);
        await call.RequestStream.CompleteAsync();
        Assert.True(await call.ResponseStream.MoveNext());
        var response = call.ResponseStream.Current;
        Assert.False(await call.ResponseStream.MoveNext());
        return response;
    }

    /// <summary>
    /// Builds descriptors from the returned files as a reflection client would: this only succeeds when
    /// every dependency of every file is among them. The answer's order is free, so sort dependencies first.
    /// </summary>
    private static IReadOnlyList<FileDescriptor> Build(IEnumerable<ByteString> files)
    {
        var protos = files.Select(f => FileDescriptorProto.Parser.ParseFrom(f)).ToDictionary(p => p.Name, StringComparer.Ordinal);
        var ordered = new List<FileDescriptorProto>();
        var visited = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in protos.Keys)
        {
            Visit(name);
        }
        return FileDescriptor.BuildFromByteStrings(ordered.Select(p => p.ToByteString()));

        void Visit(string name)
        {
            Assert.True(protos.ContainsKey(name), $"dependency {name} is missing from the answer");
            if (!visited.Add(name))
            {
                return;
            }
            foreach (var dependency in protos[name].Dependency)
            {
                Visit(dependency);
            }
            ordered.Add(protos[name]);
        }
    }
}
