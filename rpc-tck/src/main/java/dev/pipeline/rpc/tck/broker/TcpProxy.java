package dev.pipeline.rpc.tck.broker;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A loopback TCP proxy that a test controls, to cut the network between a client or server and a broker.
 * {@link #cut()} closes every live connection and refuses new ones (the listening socket is closed) until
 * {@link #heal()} listens again on the same port. Two threads per connection, plain sockets.
 *
 * <pre>{@code
 * try (TcpProxy proxy = TcpProxy.start("127.0.0.1", redisPort)) {
 *     String uri = "redis://127.0.0.1:" + proxy.port();
 *     proxy.cut();  ...  proxy.heal();
 * }
 * }</pre>
 */
public final class TcpProxy implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TcpProxy.class);

    private final String targetHost;
    private final int targetPort;
    private final int port;
    private final Set<Socket> live = ConcurrentHashMap.newKeySet();
    private volatile ServerSocket server;
    private volatile boolean closed;

    private TcpProxy(String targetHost, int targetPort, int port) {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        this.port = port;
    }

    /**
     * Starts a proxy on a free loopback port.
     *
     * @param targetHost where connections are forwarded
     * @param targetPort the port there
     * @return a proxy on a free loopback port forwarding to {@code targetHost:targetPort}, listening
     */
    public static TcpProxy start(String targetHost, int targetPort) {
        return start(targetHost, targetPort, 0);
    }

    /**
     * Starts a proxy on a given loopback port.
     *
     * @param targetHost where connections are forwarded
     * @param targetPort the port there
     * @param port the loopback port to listen on, 0 for a free one
     * @return a proxy on {@code port} forwarding to {@code targetHost:targetPort}, listening
     */
    public static TcpProxy start(String targetHost, int targetPort, int port) {
        TcpProxy p;
        try {
            ServerSocket s = listen(port);
            p = new TcpProxy(targetHost, targetPort, s.getLocalPort());
            p.accept(s);
        } catch (IOException e) {
            throw new IllegalStateException("cannot listen on 127.0.0.1:" + port + ": " + e, e);
        }
        return p;
    }

    /** @return a free loopback port (for a proxy started later on it) */
    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free port: " + e, e);
        }
    }

    private static ServerSocket listen(int port) throws IOException {
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
        return s;
    }

    private void accept(ServerSocket s) {
        server = s;
        Thread t = new Thread(() -> {
            while (!s.isClosed()) {
                try {
                    Socket in = s.accept();
                    connect(in);
                } catch (IOException e) {
                    if (!s.isClosed()) {
                        log.debug("proxy {} accept failed: {}", port, e.toString());
                    }
                }
            }
        }, "tcp-proxy-accept-" + port);
        t.setDaemon(true);
        t.start();
    }

    private void connect(Socket in) {
        Socket out = new Socket();
        try {
            in.setTcpNoDelay(true);
            out.setTcpNoDelay(true);
            out.connect(new InetSocketAddress(targetHost, targetPort), 5000);
        } catch (IOException e) {
            closeQuietly(in);
            closeQuietly(out);
            return;
        }
        live.add(in);
        live.add(out);
        pump(in, out);
        pump(out, in);
    }

    private void pump(Socket from, Socket to) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[64 * 1024];
            try (InputStream i = from.getInputStream(); OutputStream o = to.getOutputStream()) {
                int n;
                while ((n = i.read(buf)) >= 0) {
                    o.write(buf, 0, n);
                }
            } catch (IOException ignored) {
                // cut, or closed by either side
            } finally {
                closeQuietly(from);
                closeQuietly(to);
                live.remove(from);
                live.remove(to);
            }
        }, "tcp-proxy-" + port);
        t.setDaemon(true);
        t.start();
    }

    /** @return the port the proxy listens on (the same after a heal) */
    public int port() {
        return port;
    }

    /** Closes every live connection and refuses new ones until {@link #heal()}. Idempotent. */
    public synchronized void cut() {
        ServerSocket s = server;
        server = null;
        if (s != null) {
            closeQuietly(s);
        }
        for (Socket c : live) {
            closeQuietly(c);
        }
        live.clear();
        log.info("proxy 127.0.0.1:{} -> {}:{} cut", port, targetHost, targetPort);
    }

    /** Listens again on the same port. Idempotent. */
    public synchronized void heal() {
        if (closed || server != null) {
            return;
        }
        long until = System.nanoTime() + 10_000_000_000L;
        while (true) {
            try {
                accept(listen(port));
                log.info("proxy 127.0.0.1:{} -> {}:{} healed", port, targetHost, targetPort);
                return;
            } catch (IOException e) {
                if (System.nanoTime() - until > 0) {
                    throw new IllegalStateException("cannot listen on 127.0.0.1:" + port + " again: " + e, e);
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted", ie);
                }
            }
        }
    }

    /** @return whether the proxy is cut now */
    public boolean isCut() {
        return server == null;
    }

    @Override
    public synchronized void close() {
        closed = true;
        cut();
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // closing anyway
        }
    }

    @Override
    public String toString() {
        return "TCP proxy 127.0.0.1:" + port + " -> " + targetHost + ":" + targetPort + (isCut() ? " (cut)" : "");
    }
}
