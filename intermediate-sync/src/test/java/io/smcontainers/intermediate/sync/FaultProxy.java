package io.smcontainers.intermediate.sync;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback TCP proxy in front of the S3 server that injects faults per connection, at set rates: a connection reset
 * after the request head ({@code drop}), a {@code 503 SlowDown} answer ({@code slowDown}), a request cut off part-way
 * through its body ({@code cut}), and a connection that answers nothing for {@code stallMillis} ({@code stall}).
 * Responses that pass get {@code Connection: close}, so every request opens a new connection and meets the dice.
 */
final class FaultProxy implements AutoCloseable {
    record Rates(double drop, double slowDown, double cut, double stall, long stallMillis) {}

    private static final byte[] SLOW_DOWN_BODY = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>SlowDown"
                    + "</Code><Message>Please reduce your request rate.</Message></Error>")
            .getBytes(StandardCharsets.UTF_8);

    final AtomicInteger drops = new AtomicInteger();
    final AtomicInteger slowDowns = new AtomicInteger();
    final AtomicInteger cuts = new AtomicInteger();
    final AtomicInteger stalls = new AtomicInteger();
    final AtomicInteger passes = new AtomicInteger();

    private final InetSocketAddress upstream;
    private final ServerSocket server;
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "fault-proxy");
        t.setDaemon(true);
        return t;
    });
    private final Random random;
    private volatile Rates rates;

    FaultProxy(URI upstream, Rates rates, long seed) throws IOException {
        this.upstream = new InetSocketAddress(upstream.getHost(), upstream.getPort());
        this.rates = rates;
        this.random = new Random(seed);
        this.server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        pool.execute(this::acceptLoop);
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getLocalPort());
    }

    void rates(Rates value) {
        rates = value;
    }

    int faults() {
        return drops.get() + slowDowns.get() + cuts.get() + stalls.get();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                double roll;
                synchronized (random) {
                    roll = random.nextDouble();
                }
                pool.execute(() -> handle(client, roll));
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void handle(Socket client, double roll) {
        Rates r = rates;
        try (client) {
            InputStream in = new BufferedInputStream(client.getInputStream());
            if (roll < r.drop()) {
                readHead(in);
                drops.incrementAndGet();
                reset(client);
            } else if (roll < r.drop() + r.slowDown()) {
                readHead(in);
                slowDowns.incrementAndGet();
                OutputStream out = client.getOutputStream();
                out.write(("HTTP/1.1 503 Slow Down\r\nContent-Type: application/xml\r\nContent-Length: "
                                + SLOW_DOWN_BODY.length + "\r\nConnection: close\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.write(SLOW_DOWN_BODY);
                out.flush();
                client.shutdownOutput();
                client.setSoTimeout(1000);
                in.skip(Long.MAX_VALUE);
            } else if (roll < r.drop() + r.slowDown() + r.stall()) {
                readHead(in);
                stalls.incrementAndGet();
                Thread.sleep(r.stallMillis());
                reset(client);
            } else {
                boolean cut = roll < r.drop() + r.slowDown() + r.stall() + r.cut();
                pass(client, in, cut);
            }
        } catch (IOException | InterruptedException e) {
            // the client gave up: nothing to do
        }
    }

    private void pass(Socket client, InputStream clientIn, boolean cut) throws IOException {
        try (Socket up = new Socket()) {
            up.connect(upstream, 5000);
            InputStream upIn = new BufferedInputStream(up.getInputStream());
            OutputStream upOut = up.getOutputStream();
            OutputStream clientOut = client.getOutputStream();
            long cutAfter;
            synchronized (random) {
                cutAfter = cut ? 1 + random.nextInt(64 * 1024) : Long.MAX_VALUE;
            }
            pool.execute(() -> {
                try {
                    byte[] head = readHead(clientIn);
                    upOut.write(head);
                    long sent = 0;
                    byte[] buf = new byte[16 * 1024];
                    int n;
                    while ((n = clientIn.read(buf)) > 0) {
                        if (sent + n > cutAfter) {
                            upOut.write(buf, 0, (int) (cutAfter - sent));
                            upOut.flush();
                            cuts.incrementAndGet();
                            reset(up);
                            reset(client);
                            return;
                        }
                        upOut.write(buf, 0, n);
                        sent += n;
                    }
                    up.shutdownOutput();
                } catch (IOException e) {
                    closeQuietly(up);
                }
            });
            boolean counted = false;
            while (true) {
                byte[] head = readHead(upIn);
                if (head.length == 0) {
                    return;
                }
                String text = new String(head, StandardCharsets.ISO_8859_1);
                if (text.startsWith("HTTP/1.1 1")) {
                    clientOut.write(head);
                    clientOut.flush();
                    continue;
                }
                StringBuilder rewritten = new StringBuilder();
                for (String line : text.split("\r\n")) {
                    if (!line.isEmpty() && !line.regionMatches(true, 0, "Connection:", 0, 11)) {
                        rewritten.append(line).append("\r\n");
                    }
                }
                rewritten.append("Connection: close\r\n\r\n");
                clientOut.write(rewritten.toString().getBytes(StandardCharsets.ISO_8859_1));
                if (!counted) {
                    passes.incrementAndGet();
                    counted = true;
                }
                upIn.transferTo(clientOut);
                clientOut.flush();
                return;
            }
        }
    }

    /** Reads up to and including the blank line that ends an HTTP head; empty at end of stream. */
    private static byte[] readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int state = 0;
        int b;
        while ((b = in.read()) >= 0) {
            head.write(b);
            state = (b == '\r' && (state == 0 || state == 2)) || (b == '\n' && (state == 1 || state == 3))
                    ? state + 1
                    : (b == '\r' ? 1 : 0);
            if (state == 4) {
                break;
            }
        }
        return head.toByteArray();
    }

    private static void reset(Socket s) {
        try {
            s.setSoLinger(true, 0);
            s.close();
        } catch (IOException e) {
            // already closed
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        pool.shutdownNow();
    }
}
