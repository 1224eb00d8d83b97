package dev.pipeline.examples.klass;

import java.util.List;

/**
 * The contract of the {@code inventory} service. The receiver implements it ({@link InMemoryInventory}); the sender
 * calls it through a typed proxy: {@code client.proxy(Inventory.class, "inventory")}.
 */
public interface Inventory {
    /** JSON-RPC error code: not enough stock. */
    int OUT_OF_STOCK = 1001;
    /** JSON-RPC error code: no such item. */
    int UNKNOWN_ITEM = 1002;

    /** Adds {@code quantity} of an item (created on first use); @return the item after the change. */
    Item add(String sku, String name, int quantity);

    /** Takes {@code quantity} out of stock; fails with {@link #OUT_OF_STOCK} or {@link #UNKNOWN_ITEM}. */
    Item take(String sku, int quantity);

    /** @return the item; fails with {@link #UNKNOWN_ITEM}. */
    Item get(String sku);

    /** @return every item, by SKU. */
    List<Item> list();
}
