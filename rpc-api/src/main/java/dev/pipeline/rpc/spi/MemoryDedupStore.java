package dev.pipeline.rpc.spi;

import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@link DedupStore#inMemory}: a map in insertion order, trimmed from its oldest end. */
final class MemoryDedupStore implements DedupStore {
    /** Bytes counted for an entry besides its key and value (the map's node, the entry object). */
    private static final int OVERHEAD = 96;

    private record Entry(byte[] value, long expiresNanos, int weight) {
    }

    private final int maxEntries;
    private final long maxBytes;
    private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>(); // guarded by this
    private long bytes; // guarded by this

    MemoryDedupStore(int maxEntries, long maxBytes) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("maxEntries must be >= 1, was " + maxEntries);
        }
        if (maxBytes < 1) {
            throw new IllegalArgumentException("maxBytes must be >= 1, was " + maxBytes);
        }
        this.maxEntries = maxEntries;
        this.maxBytes = maxBytes;
    }

    @Override
    public synchronized byte[] get(String key) {
        Entry e = entries.get(key);
        if (e == null) {
            return null;
        }
        if (System.nanoTime() - e.expiresNanos >= 0) {
            remove(key);
            return null;
        }
        return e.value;
    }

    @Override
    public synchronized void put(String key, byte[] value, Duration ttl) {
        long now = System.nanoTime();
        int weight = OVERHEAD + 2 * key.length() + value.length;
        remove(key); // a replaced entry moves to the young end
        if (weight > maxBytes) {
            return;
        }
        entries.put(key, new Entry(value, now + ttl.toNanos(), weight));
        bytes += weight;
        // the oldest end: over a bound, or expired (entries are put with one time to live, so in expiry order)
        Iterator<Map.Entry<String, Entry>> it = entries.entrySet().iterator();
        while (it.hasNext()) {
            Entry first = it.next().getValue();
            boolean over = entries.size() > maxEntries || bytes > maxBytes;
            if (!over && (first.value == value || now - first.expiresNanos < 0)) {
                break;
            }
            bytes -= first.weight;
            it.remove();
        }
    }

    private void remove(String key) {
        Entry old = entries.remove(key);
        if (old != null) {
            bytes -= old.weight;
        }
    }

    synchronized int size() {
        return entries.size();
    }

    @Override
    public String toString() {
        return "in-memory dedup store (" + maxEntries + " entries, " + maxBytes + " bytes at most)";
    }
}
