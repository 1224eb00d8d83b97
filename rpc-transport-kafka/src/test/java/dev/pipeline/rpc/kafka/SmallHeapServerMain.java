package dev.pipeline.rpc.kafka;

import dev.pipeline.rpc.Rpc;
import dev.pipeline.rpc.RpcServer;

import java.util.concurrent.CountDownLatch;

/**
 * A server process for {@link SmallHeapServerTest}: serves {@code <service>.hold(String)} with the library's defaults
 * on the broker given as its first argument, holding each call for {@code holdMillis} before answering the length.
 * Prints {@code READY} once serving. Run it with a small {@code -Xmx}.
 */
public final class SmallHeapServerMain {
    private SmallHeapServerMain() {
    }

    /** The exposed service. */
    public static final class Holder {
        private final long holdMillis;

        Holder(long holdMillis) {
            this.holdMillis = holdMillis;
        }

        /** @return the highest heap use since the start, summed over the heap's memory pools, in bytes. */
        public long peakHeap() {
            long sum = 0;
            for (java.lang.management.MemoryPoolMXBean pool : java.lang.management.ManagementFactory.getMemoryPoolMXBeans()) {
                if (pool.getType() == java.lang.management.MemoryType.HEAP) {
                    sum += pool.getPeakUsage().getUsed();
                }
            }
            return sum;
        }

        /** @return the blob's length, after holding the call. */
        public int hold(String blob) throws InterruptedException {
            Thread.sleep(holdMillis);
            return blob.length();
        }
    }

    public static void main(String[] args) throws Exception {
        String uri = args[0];
        String service = args[1];
        long holdMillis = Long.parseLong(args[2]);
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> {
            System.err.println("UNCAUGHT on " + t.getName() + ": " + e);
            System.err.flush();
        });
        RpcServer server = Rpc.server(uri);
        server.expose(service, new Holder(holdMillis));
        server.start();
        System.out.println("READY");
        System.out.flush();
        new CountDownLatch(1).await();
    }
}
