package dev.pipeline.rpc.cli;

import dev.pipeline.rpc.ClientConfig;
import dev.pipeline.rpc.Rpc;
import dev.pipeline.rpc.RpcClient;
import dev.pipeline.rpc.RpcException;
import dev.pipeline.rpc.RpcServer;
import dev.pipeline.rpc.ServerConfig;
import dev.pipeline.rpc.cli.Failures.CliException;
import dev.pipeline.rpc.spi.Secrets;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Opens clients and servers for the commands, turning a bad URI or an unreachable broker into one clear line within a
 * bounded time: before the transport is opened, a TCP connection to the broker's address is tried (the transports
 * themselves retry quietly, so that a client can be created before its broker is up; a command line tool should
 * rather say at once that nothing answers).
 */
final class Connections {
    private Connections() {
    }

    /** @return a client on {@code uri}; its calls time out after {@code timeout}. */
    static RpcClient client(String uri, String origin, Duration timeout, Duration connectTimeout) {
        URI parsed = parse(uri, origin);
        String shown = Secrets.mask(uri);
        probe(parsed, shown, origin, connectTimeout);
        ClientConfig config = ClientConfig.builder().defaultTimeout(timeout).readyTimeout(connectTimeout).build();
        try {
            return Rpc.client(uri, config);
        } catch (IllegalArgumentException e) {
            throw new CliException("bad broker URI '" + shown + "' (" + origin + "): " + Failures.oneLine(e.getMessage()),
                    e);
        } catch (RpcException e) {
            throw new CliException("cannot use the broker at " + shown + " (" + origin + "): "
                    + Failures.oneLine(e.getMessage()), e);
        }
    }

    /** @return a server on {@code uri}, not started. */
    static RpcServer server(String uri, String origin, ServerConfig config, Duration connectTimeout) {
        URI parsed = parse(uri, origin);
        String shown = Secrets.mask(uri);
        probe(parsed, shown, origin, connectTimeout);
        try {
            return Rpc.server(uri, config);
        } catch (IllegalArgumentException e) {
            throw new CliException("bad broker URI '" + shown + "' (" + origin + "): " + Failures.oneLine(e.getMessage()),
                    e);
        }
    }

    static URI parse(String uri, String origin) {
        URI parsed;
        try {
            parsed = new URI(uri);
        } catch (URISyntaxException e) {
            throw new CliException("bad broker URI '" + Secrets.mask(uri) + "' (" + origin + "): " + e.getReason()
                    + "; expected e.g. kafka://127.0.0.1:9092 or redis://127.0.0.1:6379");
        }
        if (parsed.getScheme() == null) {
            throw new CliException("bad broker URI '" + Secrets.mask(uri) + "' (" + origin + "): no scheme;"
                    + " expected e.g. kafka://127.0.0.1:9092 or redis://127.0.0.1:6379");
        }
        return parsed;
    }

    /**
     * Tries a TCP connection to each address of a {@code kafka://} or {@code redis://} URI; fails when none answers
     * within {@code timeout}. Other schemes are not probed.
     */
    static void probe(URI uri, String display, String origin, Duration timeout) {
        List<InetSocketAddress> addresses = addresses(uri, display, origin);
        if (addresses.isEmpty()) {
            return;
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = null;
        do {
            for (InetSocketAddress a : addresses) {
                long left = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
                try (Socket s = new Socket()) {
                    s.connect(a, (int) Math.min(left, Math.min(timeout.toMillis(), 5_000)));
                    return;
                } catch (IOException e) {
                    last = a.getHostString() + ":" + a.getPort() + ": " + (e.getMessage() == null
                            ? e.getClass().getSimpleName() : e.getMessage());
                }
            }
            sleep(200);
        } while (System.nanoTime() < deadline);
        throw new CliException("cannot reach the broker at " + display + " (" + origin + ") within "
                + timeout.toSeconds() + " s (" + last + ")");
    }

    static List<InetSocketAddress> addresses(URI uri, String display, String origin) {
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        int defaultPort = switch (scheme) {
            case "kafka" -> 9092;
            case "redis", "rediss" -> 6379;
            default -> -1;
        };
        if (defaultPort < 0) {
            return List.of();
        }
        String authority = uri.getRawAuthority();
        if (authority == null || authority.isBlank()) {
            throw new CliException("bad broker URI '" + display + "' (" + origin + "): no host; expected "
                    + scheme + "://host:port");
        }
        int at = authority.lastIndexOf('@');
        if (at >= 0) {
            authority = authority.substring(at + 1);
        }
        List<InetSocketAddress> out = new ArrayList<>();
        for (String hp : authority.split(",")) {
            hp = hp.strip();
            if (hp.isEmpty()) {
                continue;
            }
            String host;
            int port = defaultPort;
            int colon = hp.lastIndexOf(':');
            if (hp.startsWith("[")) { // [IPv6]:port
                int close = hp.indexOf(']');
                host = close > 0 ? hp.substring(1, close) : hp;
                if (close > 0 && close + 1 < hp.length() && hp.charAt(close + 1) == ':') {
                    port = port(hp.substring(close + 2), display, origin);
                }
            } else if (colon >= 0) {
                host = hp.substring(0, colon);
                port = port(hp.substring(colon + 1), display, origin);
            } else {
                host = hp;
            }
            if (host.isBlank()) {
                throw new CliException("bad broker URI '" + display + "' (" + origin + "): no host in '" + hp + "'");
            }
            out.add(InetSocketAddress.createUnresolved(host, port));
        }
        List<InetSocketAddress> resolved = new ArrayList<>();
        String unresolved = null;
        for (InetSocketAddress a : out) {
            InetSocketAddress r = new InetSocketAddress(a.getHostString(), a.getPort());
            if (r.isUnresolved()) {
                unresolved = a.getHostString();
            } else {
                resolved.add(r);
            }
        }
        if (resolved.isEmpty() && unresolved != null) {
            throw new CliException("cannot reach the broker at " + display + " (" + origin + "): unknown host '"
                    + unresolved + "'");
        }
        return resolved;
    }

    private static int port(String s, String display, String origin) {
        try {
            int p = Integer.parseInt(s);
            if (p < 1 || p > 65535) {
                throw new NumberFormatException();
            }
            return p;
        } catch (NumberFormatException e) {
            throw new CliException("bad broker URI '" + display + "' (" + origin + "): bad port '" + s + "'");
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException("interrupted while connecting to the broker");
        }
    }
}
