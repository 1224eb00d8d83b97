package dev.pipeline.examples.klass;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The same {@code inventory} service seen asynchronously: each method returns at once, and its future completes with
 * the result or fails with the service's {@code RpcException}. Method names match {@link Inventory}'s.
 */
public interface InventoryAsync {
    CompletableFuture<Item> add(String sku, String name, int quantity);

    CompletableFuture<Item> take(String sku, int quantity);

    CompletableFuture<List<Item>> list();
}
