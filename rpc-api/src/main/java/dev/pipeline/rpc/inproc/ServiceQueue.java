package dev.pipeline.rpc.inproc;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One service's requests and the started server instances competing for them. Messages wait here while every
 * instance is at its in-flight limit or none is started. {@link #drain()} hands messages to instances with a free
 * slot, round robin; it runs on one thread at a time (work-in-progress counter), so a handler completing inline can
 * never recurse into it.
 */
final class ServiceQueue {
    private static final Logger LOG = LoggerFactory.getLogger(ServiceQueue.class);
    private static final InprocServerChannel[] NONE = new InprocServerChannel[0];

    private final InprocBroker broker;
    private final String service;
    private final ConcurrentLinkedDeque<Message> queue = new ConcurrentLinkedDeque<>();
    private final AtomicInteger wip = new AtomicInteger();
    private final AtomicLong sequence = new AtomicLong();
    private volatile InprocServerChannel[] consumers = NONE;
    private int next; // round-robin position; only touched inside drain()

    ServiceQueue(InprocBroker broker, String service) {
        this.broker = broker;
        this.service = service;
    }

    InprocBroker broker() {
        return broker;
    }

    String service() {
        return service;
    }

    long nextSequence() {
        return sequence.incrementAndGet();
    }

    void offer(Message message) {
        queue.offerLast(message);
        drain();
    }

    /** Puts messages a closed instance did not finish back at the head of the queue, in their original order. */
    void requeue(List<Message> messages) {
        Message[] sorted = messages.toArray(new Message[0]);
        Arrays.sort(sorted, Comparator.comparingLong(Message::sequence));
        for (int i = sorted.length - 1; i >= 0; i--) {
            queue.offerFirst(sorted[i]);
        }
        if (sorted.length > 0) {
            LOG.debug("{} redelivers {} unacknowledged requests of {}", broker, sorted.length, service);
        }
        drain();
    }

    /** Whether a server instance ever consumed this queue (what {@code noServer} asks). */
    boolean everServed() {
        return everServed;
    }

    private volatile boolean everServed;

    synchronized void addConsumer(InprocServerChannel channel) {
        everServed = true;
        InprocServerChannel[] current = consumers;
        InprocServerChannel[] grown = Arrays.copyOf(current, current.length + 1);
        grown[current.length] = channel;
        consumers = grown;
    }

    synchronized void removeConsumer(InprocServerChannel channel) {
        consumers = Arrays.stream(consumers).filter(c -> c != channel).toArray(InprocServerChannel[]::new);
    }

    /** Number of messages waiting for a server instance (for tests). */
    int waiting() {
        return queue.size();
    }

    void drain() {
        if (wip.getAndIncrement() != 0) {
            return;
        }
        int missed = 1;
        while (true) {
            while (!queue.isEmpty()) {
                InprocServerChannel consumer = acquireConsumer();
                if (consumer == null) {
                    break;
                }
                Message message = queue.pollFirst();
                if (message == null) {
                    consumer.releaseSlot();
                    break;
                }
                consumer.deliver(message);
            }
            missed = wip.addAndGet(-missed);
            if (missed == 0) {
                return;
            }
        }
    }

    private InprocServerChannel acquireConsumer() {
        InprocServerChannel[] cs = consumers;
        int n = cs.length;
        for (int i = 0; i < n; i++) {
            InprocServerChannel c = cs[Math.floorMod(next + i, n)];
            if (c.tryAcquireSlot()) {
                next = Math.floorMod(next + i + 1, n);
                return c;
            }
        }
        return null;
    }
}
