package dev.pipeline.rpc.spi;

import java.util.Objects;

/**
 * One server instance of a service as the broker sees it ({@link ClientChannel#members}): Kafka, a member of the
 * service's consumer group; Redis, a consumer of the group on the service's stream.
 *
 * @param name       the broker's name for it: Kafka's member id, Redis's consumer name
 * @param host       where it connects from (Kafka), or "" when the broker does not say (Redis)
 * @param idleMillis how long since it last read from the broker (Redis), or -1 when the broker does not say (Kafka:
 *                   its group coordinator removes a member that stops polling)
 */
public record ServerMember(String name, String host, long idleMillis) {
    /**
     * Checks the values.
     *
     * @param name       the broker's name for it
     * @param host       where it connects from, or ""
     * @param idleMillis how long since it last read, or -1
     */
    public ServerMember {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(host, "host");
        if (idleMillis < -1) {
            throw new IllegalArgumentException("idleMillis must be -1 (unknown) or more: " + idleMillis);
        }
    }
}
