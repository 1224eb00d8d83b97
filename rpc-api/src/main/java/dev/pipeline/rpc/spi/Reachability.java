package dev.pipeline.rpc.spi;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Tells "nothing listens there" apart from "the broker is slow", so that a client or server pointed at the wrong
 * address fails at once with a message that names it ({@code cannot reach Kafka at 127.0.0.1:9092: connection
 * refused}) instead of waiting out a timeout. A TCP connection to each address is tried (and closed at once, before
 * any protocol or TLS handshake) until one is accepted; refused, unresolvable or silent addresses are tried again
 * until the window has passed, so a broker that is just starting is still found.
 *
 * <p>One level up, {@link ClientChannel#noServer} tells "no server has ever served this service" apart from "the
 * server is slow", and {@link #noServer} words its answer.
 */
public final class Reachability {
    /** How long transports keep trying before they report a broker unreachable. */
    public static final Duration DEFAULT_WINDOW = Duration.ofSeconds(2);
    private static final long PAUSE_MILLIS = 100;

    private Reachability() {
    }

    /**
     * @param broker    the broker's kind as the message names it: {@code Kafka}, {@code Redis}
     * @param display   the addresses as the user gave them, without credentials
     * @param addresses where to connect; unresolved addresses are resolved on each try
     * @param window    how long to keep trying
     * @return empty once one address accepted a TCP connection, else why none did: {@code cannot reach Kafka at
     * 127.0.0.1:9092: connection refused (is the broker running, and is this its address?)}
     */
    public static Optional<String> check(String broker, String display, List<InetSocketAddress> addresses,
                                         Duration window) {
        if (addresses.isEmpty()) {
            return Optional.empty();
        }
        long deadline = System.nanoTime() + window.toNanos();
        String why;
        while (true) {
            why = null;
            for (InetSocketAddress a : addresses) {
                long leftMillis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
                String failure = tryConnect(a, (int) Math.min(leftMillis, Integer.MAX_VALUE), window);
                if (failure == null) {
                    return Optional.empty();
                }
                why = why == null ? failure : why;
            }
            if (System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(PAUSE_MILLIS) >= deadline) {
                break;
            }
            try {
                Thread.sleep(PAUSE_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty(); // not ours to decide: the caller's own wait reports it
            }
        }
        return Optional.of("cannot reach " + broker + " at " + display + ": " + why
                + " (is the broker running, and is this its address?)");
    }

    /**
     * The reason a {@link ClientChannel#noServer} check gives for a service no server has served, so every transport
     * words it alike.
     *
     * @param service the service called
     * @param broker  the broker's address as a URI, e.g. {@code kafka://127.0.0.1:9092}; credentials are masked here
     * @param detail  what the broker showed, e.g. {@code no consumer group 'rpc.calc'}; may be null
     * @return {@code no server for 'calc' at kafka://127.0.0.1:9092 (no consumer group 'rpc.calc')}
     */
    public static String noServer(String service, String broker, String detail) {
        return "no server for '" + service + "' at " + Secrets.mask(broker)
                + (detail == null || detail.isBlank() ? "" : " (" + detail + ")");
    }

    /** @return null when {@code a} accepted a connection, else why not, in a few words */
    private static String tryConnect(InetSocketAddress a, int timeoutMillis, Duration window) {
        InetSocketAddress target = a.isUnresolved() ? new InetSocketAddress(a.getHostString(), a.getPort()) : a;
        if (target.isUnresolved()) {
            return "unknown host '" + a.getHostString() + "'";
        }
        try (Socket s = new Socket()) {
            s.connect(target, timeoutMillis);
            return null;
        } catch (UnknownHostException e) {
            return "unknown host '" + a.getHostString() + "'";
        } catch (SocketTimeoutException e) {
            long ms = window.toMillis();
            return "no answer from " + hostPort(a) + " within " + (ms % 1000 == 0 ? ms / 1000 + " s" : ms + " ms");
        } catch (ConnectException e) {
            String m = e.getMessage() == null ? "" : e.getMessage().toLowerCase(Locale.ROOT);
            return m.contains("refused") ? "connection refused" : hostPort(a) + ": " + m;
        } catch (IOException | SecurityException | IllegalArgumentException e) {
            return hostPort(a) + ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        }
    }

    private static String hostPort(InetSocketAddress a) {
        String host = a.getHostString();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    /**
     * Reads a list of addresses such as Kafka's {@code bootstrap.servers}: {@code host:port} entries separated by
     * commas, an IPv6 host in brackets ({@code [::1]:9092}), an optional {@code LISTENER://} prefix per entry.
     *
     * @param list the list as configured, or {@code null}
     * @param defaultPort the port of an entry that names none
     * @return the addresses, unresolved; empty when an entry cannot be read (the transport's own parsing then
     * reports it)
     */
    public static List<InetSocketAddress> parseHostPorts(String list, int defaultPort) {
        List<InetSocketAddress> out = new ArrayList<>();
        if (list == null) {
            return out;
        }
        for (String entry : list.split(",")) {
            String hp = entry.strip();
            if (hp.isEmpty()) {
                continue;
            }
            int scheme = hp.indexOf("://");
            if (scheme >= 0) {
                hp = hp.substring(scheme + 3);
            }
            String host;
            String port = null;
            if (hp.startsWith("[")) {
                int close = hp.indexOf(']');
                if (close < 0) {
                    return List.of();
                }
                host = hp.substring(1, close);
                if (close + 1 < hp.length()) {
                    if (hp.charAt(close + 1) != ':') {
                        return List.of();
                    }
                    port = hp.substring(close + 2);
                }
            } else {
                int colon = hp.lastIndexOf(':');
                host = colon < 0 ? hp : hp.substring(0, colon);
                port = colon < 0 ? null : hp.substring(colon + 1);
            }
            int p;
            try {
                p = port == null ? defaultPort : Integer.parseInt(port);
            } catch (NumberFormatException e) {
                return List.of();
            }
            if (host.isBlank() || p < 1 || p > 65535) {
                return List.of();
            }
            out.add(InetSocketAddress.createUnresolved(host, p));
        }
        return out;
    }
}
