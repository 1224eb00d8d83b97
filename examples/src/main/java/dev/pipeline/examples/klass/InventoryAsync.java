package dev.pipeline.examples.klass;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The same {@code inventory} service seen asynchronously: each method returns at once, and its future completes with
 * the result or fails with the service's {@code RpcException}. Method names match {@link Inventory}'s.
 */
public interface InventoryAsync {
    /** {@link Inventory#add}, without blocking. */
    CompletableFuture<Item> add(String sku, String name, int quantity);

    /** {@link Inventory#take}, without blocking; fails with the service's error. */
    CompletableFuture<Item> take(String sku, int quantity);

    /** {@link Inventory#list}, without blocking. */
    CompletableFuture<List<Item>> list();
}
