package dev.pipeline.examples.klass;

import dev.pipeline.examples.ExampleBroker;
import dev.pipeline.rpc.Rpc;
import dev.pipeline.rpc.RpcClient;
import dev.pipeline.rpc.RpcServer;

import java.util.List;

/**
 * The class example in one run: a receiver exposing an object's methods and a sender calling them through typed
 * proxies, sync and async, on one broker (a local Redis server unless the first argument names one: a URI,
 * {@code kafka} or {@code redis}). Prints what happens and exits 0.
 *
 * <pre>
 * ./mvnw -q -pl examples -am process-classes -Dexample=dev.pipeline.examples.klass.ClassExample
 * ./pipeline example class
 * </pre>
 */
public final class ClassExample {
    private ClassExample() {
    }

    @SuppressWarnings("try") // the receiver only has to be open while the sender runs
    public static void main(String[] args) {
        try (ExampleBroker broker = ExampleBroker.fromArgs(args, "redis")) {
            System.out.println("broker: " + broker);
            try (RpcServer receiver = InventoryReceiver.start(broker.uri());
                 RpcClient sender = Rpc.client(broker.uri())) {
                System.out.println("receiver: serving " + InventoryReceiver.SERVICE + " (an InMemoryInventory)");
                List<Item> stock = InventorySender.run(sender);
                List<Item> expected = List.of(new Item("apple", "Apple", 4), new Item("pear", "Pear", 4),
                        new Item("plum", "Plum", 9));
                if (!stock.equals(expected)) {
                    throw new IllegalStateException("unexpected stock " + stock + ", expected " + expected);
                }
                System.out.println("class example done: " + stock.size() + " items in stock");
            }
        }
    }
}
