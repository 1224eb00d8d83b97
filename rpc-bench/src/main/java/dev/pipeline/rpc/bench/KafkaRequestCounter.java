package dev.pipeline.rpc.bench;

import dev.pipeline.rpc.bench.ComparisonResult.KafkaRequestsPerCall;

import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.util.Optional;

/**
 * Kafka requests sent by this JVM across one measured point: produce requests of every producer and fetch requests
 * of every consumer, summed from the clients' own JMX metrics ({@code producer-metrics} {@code request-total},
 * {@code consumer-fetch-manager-metrics} {@code fetch-total}). The broker's CPU per call follows these counts: each
 * request costs it a fixed amount before the records in it. The idle contenders' consumers add their long polls
 * (a few per second), which shows only at one call in flight.
 */
final class KafkaRequestCounter {
    private static final String PRODUCERS = "kafka.producer:type=producer-metrics,client-id=*";
    private static final String FETCHERS = "kafka.consumer:type=consumer-fetch-manager-metrics,client-id=*";

    private final MBeanServer server;
    private final double produceStart;
    private final double fetchStart;

    private KafkaRequestCounter(MBeanServer server) {
        this.server = server;
        this.produceStart = sum(server, PRODUCERS, "request-total");
        this.fetchStart = sum(server, FETCHERS, "fetch-total");
    }

    /** Starts counting now. */
    static KafkaRequestCounter start() {
        return new KafkaRequestCounter(ManagementFactory.getPlatformMBeanServer());
    }

    /** @return the requests per call since {@link #start}, or empty when there are none (no Kafka client here) */
    Optional<KafkaRequestsPerCall> perCall(long calls) {
        double produce = sum(server, PRODUCERS, "request-total") - produceStart;
        double fetch = sum(server, FETCHERS, "fetch-total") - fetchStart;
        if (calls <= 0 || Double.isNaN(produce) || Double.isNaN(fetch) || produce + fetch <= 0) {
            return Optional.empty();
        }
        return Optional.of(new KafkaRequestsPerCall(produce / calls, fetch / calls));
    }

    /**
     * The sum of a counter over the clients alive now. A client closed during the point takes its count with it;
     * the contenders' clients live for the whole run, so that does not happen here.
     */
    private static double sum(MBeanServer server, String pattern, String attribute) {
        double total = 0;
        try {
            for (ObjectName name : server.queryNames(new ObjectName(pattern), null)) {
                if (server.getAttribute(name, attribute) instanceof Number n && !Double.isNaN(n.doubleValue())) {
                    total += n.doubleValue();
                }
            }
        } catch (JMException e) {
            return Double.NaN;
        }
        return total;
    }
}
