package dev.pipeline.examples.klass;

import dev.pipeline.rpc.ErrorCodes;
import dev.pipeline.rpc.RpcException;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * The receiver's object: an inventory kept in memory. Public with a no-argument constructor, so the CLI can serve it
 * too: {@code pipeline serve inventory --class dev.pipeline.examples.klass.InMemoryInventory}.
 */
public class InMemoryInventory implements Inventory {
    private final TreeMap<String, Item> items = new TreeMap<>();

    /** An empty inventory. */
    public InMemoryInventory() {
    }

    @Override
    public synchronized Item add(String sku, String name, int quantity) {
        if (sku == null || sku.isBlank() || quantity <= 0) {
            throw new RpcException(ErrorCodes.INVALID_PARAMS, "need a SKU and a positive quantity");
        }
        Item before = items.get(sku);
        Item after = before == null ? new Item(sku, name, quantity)
                : new Item(sku, before.name(), before.quantity() + quantity);
        items.put(sku, after);
        return after;
    }

    @Override
    public synchronized Item take(String sku, int quantity) {
        Item before = get(sku);
        if (quantity <= 0) {
            throw new RpcException(ErrorCodes.INVALID_PARAMS, "quantity must be positive, was " + quantity);
        }
        if (before.quantity() < quantity) {
            throw new RpcException(OUT_OF_STOCK, "only " + before.quantity() + " " + sku + " in stock, "
                    + quantity + " wanted");
        }
        Item after = new Item(sku, before.name(), before.quantity() - quantity);
        items.put(sku, after);
        return after;
    }

    @Override
    public synchronized Item get(String sku) {
        Item item = items.get(sku);
        if (item == null) {
            throw new RpcException(UNKNOWN_ITEM, "no item '" + sku + "'");
        }
        return item;
    }

    @Override
    public synchronized List<Item> list() {
        return new ArrayList<>(items.values());
    }
}
