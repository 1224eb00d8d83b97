package dev.pipeline.examples.messenger;

import dev.pipeline.examples.ExampleBroker;
import dev.pipeline.rpc.Rpc;
import dev.pipeline.rpc.RpcClient;
import dev.pipeline.rpc.RpcServer;


/**
 * Runs the {@code messenger} service until Ctrl-C. Arguments: {@code [broker URI | kafka | redis]}. Send with
 * {@link SendMessage} or the CLI:
 * {@code pipeline call messenger send '{"sender":"alice","recipient":"bob","text":"hi"}'}.
 */
public final class MessengerServer {
    private MessengerServer() {
    }

    public static void main(String[] args) throws InterruptedException {
        ExampleBroker broker = ExampleBroker.fromArgs(args, "kafka");
        RpcClient forwarder = Rpc.client(broker.uri());
        RpcServer server = Rpc.server(broker.uri());
        server.expose(Messenger.SERVICE, Messenger.class, new MessengerService(forwarder));
        server.start();
        System.out.println("messenger: serving " + Messenger.SERVICE + " on " + broker + "; Ctrl-C stops");
        ExampleBroker.runUntilStopped(server, forwarder, broker);
    }
}
