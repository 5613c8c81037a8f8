// Command peer serves grpc.health.v1.Health with the health service that ships with grpc-go,
// for loadtests/Transport/bench to compare against. Built in GOPATH mode from Debian's
// golang-google-grpc-dev (see ../../../bench). Usage: peer [PORT]; prints "LISTENING <port>".
package main

import (
	"fmt"
	"log"
	"net"
	"os"

	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

func main() {
	port := "0"
	if len(os.Args) > 1 {
		port = os.Args[1]
	}
	listener, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", port))
	if err != nil {
		log.Fatalf("listen: %v", err)
	}
	server := grpc.NewServer()
	// A new health server reports SERVING for the empty service name, as ours does.
	healthpb.RegisterHealthServer(server, health.NewServer())
	fmt.Printf("LISTENING %d\n", listener.Addr().(*net.TCPAddr).Port)
	if err := server.Serve(listener); err != nil {
		log.Fatalf("serve: %v", err)
	}
}
