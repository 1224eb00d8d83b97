package dev.pipeline.examples.klass;

import dev.pipeline.examples.ExampleBroker;
import dev.pipeline.rpc.Rpc;
import dev.pipeline.rpc.RpcServer;


/**
 * The receiver of the class example: exposes an {@link InMemoryInventory} as service {@code inventory}. Runs until
 * Ctrl-C. Arguments: {@code [broker URI | kafka | redis]}.
 */
public final class InventoryReceiver {
    /** The service name. */
    public static final String SERVICE = "inventory";

    private InventoryReceiver() {
    }

    /** Opens a server on {@code uri} exposing a new inventory, started. */
    public static RpcServer start(String uri) {
        RpcServer server = Rpc.server(uri);
        server.expose(SERVICE, Inventory.class, new InMemoryInventory());
        server.start();
        return server;
    }

    public static void main(String[] args) throws InterruptedException {
        ExampleBroker broker = ExampleBroker.fromArgs(args, "redis");
        RpcServer server = start(broker.uri());
        System.out.println("receiver: serving " + SERVICE + " on " + broker + "; Ctrl-C stops");
        ExampleBroker.runUntilStopped(server, broker);
    }
}
