package dev.pipeline.examples.klass;

import dev.pipeline.rpc.Rpc;
import dev.pipeline.rpc.RpcClient;
import dev.pipeline.rpc.RpcException;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The sender of the class example: calls the {@code inventory} service through typed proxies, blocking
 * ({@link Inventory}) and asynchronous ({@link InventoryAsync}). Arguments: {@code <broker URI>}.
 */
public final class InventorySender {
    private InventorySender() {
    }

    /** Runs the conversation with the inventory and prints it; @return the final stock list. */
    public static List<Item> run(RpcClient client) {
        Inventory inventory = client.proxy(Inventory.class, InventoryReceiver.SERVICE);
        InventoryAsync async = client.proxy(InventoryAsync.class, InventoryReceiver.SERVICE);

        System.out.println("sync:  add(apple, 5)      -> " + inventory.add("apple", "Apple", 5));

        CompletableFuture<Item> pears = async.add("pear", "Pear", 4);
        CompletableFuture<Item> plums = async.add("plum", "Plum", 9);
        CompletableFuture<Item> apples = async.add("apple", "Apple", 2);
        CompletableFuture.allOf(pears, plums, apples).join();
        System.out.println("async: add(pear, 4)       -> " + pears.join());
        System.out.println("async: add(plum, 9)       -> " + plums.join());
        System.out.println("async: add(apple, 2)      -> " + apples.join());

        System.out.println("sync:  take(apple, 3)     -> " + inventory.take("apple", 3));
        try {
            inventory.take("apple", 100);
            throw new IllegalStateException("taking 100 apples should have failed");
        } catch (RpcException e) {
            System.out.println("sync:  take(apple, 100)   -> error " + e.code() + ": " + e.getMessage());
        }
        String failed = async.take("kiwi", 1)
                .handle((item, error) -> error == null ? "unexpected " + item : describe(error))
                .join();
        System.out.println("async: take(kiwi, 1)      -> " + failed);

        List<Item> stock = async.list().join();
        System.out.println("async: list()             -> " + stock);
        return stock;
    }

    private static String describe(Throwable error) {
        Throwable t = error;
        while (!(t instanceof RpcException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t instanceof RpcException e ? "error " + e.code() + ": " + e.getMessage() : String.valueOf(error);
    }

    public static void main(String[] args) {
        if (args.length < 1 || !args[0].contains("://")) {
            System.err.println("usage: InventorySender <broker URI>");
            System.exit(2);
        }
        try (RpcClient client = Rpc.client(args[0])) {
            run(client);
        }
    }
}
