import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicBoolean;

import de.bwaldvogel.mongo.MongoBackend;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;

/**
 * Starts mongo-java-server for Zócalo's local database (see DESIGN.md, "Rules that hold everywhere",
 * and subgraphs/kit/src/localDatabase.ts, which compiles and spawns this class).
 *
 * <pre>
 * java -cp classes:lib/* MongoLauncher --host 127.0.0.1 --port 0 --backend memory|h2 [--file path.mv]
 * </pre>
 *
 * Prints exactly one line, {@code LISTENING <host>:<port>}, once the socket accepts connections; the
 * parent waits for it rather than polling the port. Errors go to stderr and exit with status 1.
 *
 * The process must never outlive its parent, so it exits when stdin reaches end of file: the parent
 * keeps the pipe open for as long as it wants the server, and the operating system closes it when
 * the parent dies for any reason, SIGKILL included. SIGTERM works too. Both paths run the shutdown
 * hook, which closes the server and, for H2, closes the MVStore so the last writes reach the file.
 */
public final class MongoLauncher {

    private MongoLauncher() {
    }

    public static void main(String[] args) {
        String host = "127.0.0.1";
        int port = 0;
        String backendName = "memory";
        String file = null;

        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (arg) {
                case "--host":
                    host = require(arg, value);
                    i++;
                    break;
                case "--port":
                    try {
                        port = Integer.parseInt(require(arg, value));
                    } catch (NumberFormatException e) {
                        fail("--port must be a number, got '" + value + "'");
                    }
                    i++;
                    break;
                case "--backend":
                    backendName = require(arg, value);
                    i++;
                    break;
                case "--file":
                    file = require(arg, value);
                    i++;
                    break;
                default:
                    fail("unknown argument '" + arg + "'");
            }
        }

        MongoBackend backend;
        switch (backendName) {
            case "memory":
                backend = new MemoryBackend();
                break;
            case "h2":
                if (file == null) {
                    fail("--backend h2 needs --file <path.mv>");
                }
                File parent = new File(file).getAbsoluteFile().getParentFile();
                if (parent != null && !parent.isDirectory() && !parent.mkdirs()) {
                    fail("cannot create the folder " + parent);
                }
                try {
                    backend = new H2Backend(file);
                } catch (RuntimeException e) {
                    // The usual cause is the MVStore file lock: another launcher already has this file.
                    fail("cannot open " + file + " (is another Zócalo database already using it?): " + e);
                    return;
                }
                break;
            default:
                fail("--backend must be memory or h2, got '" + backendName + "'");
                return;
        }

        MongoServer server = new MongoServer(backend);
        AtomicBoolean closed = new AtomicBoolean(false);
        Runnable close = () -> {
            if (closed.compareAndSet(false, true)) {
                // shutdownNow closes client connections first, so a connected driver cannot keep the
                // process waiting; it then closes the backend (H2: MVStore.close commits and syncs).
                server.shutdownNow();
            }
        };
        Runtime.getRuntime().addShutdownHook(new Thread(close, "mongo-launcher-shutdown"));

        try {
            server.bind(host, port);
        } catch (RuntimeException e) {
            fail("cannot listen on " + host + ":" + port + ": " + e);
        }

        InetSocketAddress address = server.getLocalAddress();
        System.out.println("LISTENING " + host + ":" + address.getPort());
        System.out.flush();

        // Block on stdin on the main thread: end of file (or a broken pipe) means the parent is gone.
        // Anything the parent writes is ignored; the pipe is only a lifeline.
        InputStream in = System.in;
        byte[] buffer = new byte[256];
        try {
            while (in.read(buffer) != -1) {
                // keep reading
            }
        } catch (IOException e) {
            // treated like end of file
        }
        // System.exit runs the shutdown hook above.
        System.exit(0);
    }

    private static String require(String flag, String value) {
        if (value == null) {
            fail(flag + " needs a value");
        }
        return value;
    }

    private static void fail(String message) {
        System.err.println("MongoLauncher: " + message);
        System.err.flush();
        // halt, not exit: nothing was started that needs the shutdown hook, and the hook could
        // otherwise touch a half-built server.
        Runtime.getRuntime().halt(1);
    }
}
