package dev.pipeline.examples.simple;

import dev.pipeline.examples.ExampleBroker;
import dev.pipeline.rpc.Rpc;
import dev.pipeline.rpc.RpcServer;


/**
 * The receiver of the simple example: serves {@code simple.echo(message)}, which prints the message and returns it.
 * Runs until Ctrl-C. Arguments: {@code [broker URI | kafka | redis]}.
 */
public final class EchoReceiver {
    /** The service name. */
    public static final String SERVICE = "simple";

    private EchoReceiver() {
    }

    /** Opens a server on {@code uri} with the echo method registered and started. */
    public static RpcServer start(String uri) {
        RpcServer server = Rpc.server(uri);
        server.handle(SERVICE, "echo", params -> {
            String message = params.get(0, String.class);
            System.out.println("receiver <- echo(\"" + message + "\")");
            return message;
        });
        server.start();
        return server;
    }

    public static void main(String[] args) throws InterruptedException {
        ExampleBroker broker = ExampleBroker.fromArgs(args, "kafka");
        RpcServer server = start(broker.uri());
        System.out.println("receiver: serving " + SERVICE + ".echo on " + broker + "; Ctrl-C stops");
        ExampleBroker.runUntilStopped(server, broker);
    }
}
