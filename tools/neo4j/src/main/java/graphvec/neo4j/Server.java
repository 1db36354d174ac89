package graphvec.neo4j;

import java.io.File;
import java.io.IOException;
import java.lang.reflect.Method;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.kernel.api.procedure.GlobalProcedures;
import org.neo4j.kernel.internal.GraphDatabaseAPI;
import org.neo4j.procedure.Procedure;
import org.neo4j.procedure.UserAggregationFunction;
import org.neo4j.procedure.UserFunction;

/**
 * Neo4j Community with the Graph Data Science procedures, on loopback only, for graphvec.
 *
 * <p>A Neo4j distribution cannot be downloaded where graphvec is built, but Neo4j's jars can (Maven
 * Central), so this starts the same server in-process: Bolt on 127.0.0.1, HTTP off, auth on with the
 * password from NEO4J_PASSWORD. The embedded DBMS does not scan a plugins folder for the GDS jars that
 * Maven put on the classpath, so their procedure classes are found and registered here, as GDS's own
 * test harness does. It prints one line, the Bolt URI, when it accepts connections, and shuts the
 * database down cleanly on SIGTERM (a shutdown hook).
 *
 * <p>Usage: Server --data DIR [--port N] (N = 0 picks a free port).
 */
public final class Server {
    private Server() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> options = parse(args);
        String password = System.getenv("NEO4J_PASSWORD");
        if (password == null || password.length() < 8) {
            System.err.println("graphvec-neo4j: set NEO4J_PASSWORD (8 characters or more) before starting the server");
            System.exit(2);
        }
        Path data = Path.of(options.getOrDefault("data", "neo4j-data")).toAbsolutePath();
        Files.createDirectories(data);
        int port = Integer.parseInt(options.getOrDefault("port", "7687"));
        if (port == 0) {
            port = freePort();
        }

        Map<String, String> config = new HashMap<>();
        config.put("server.bolt.enabled", "true");
        config.put("server.bolt.listen_address", "127.0.0.1:" + port);
        config.put("server.bolt.advertised_address", "127.0.0.1:" + port);
        config.put("server.http.enabled", "false");
        config.put("server.https.enabled", "false");
        config.put("dbms.security.auth_enabled", "true");
        config.put("dbms.security.procedures.unrestricted", "gds.*");
        config.put("server.memory.pagecache.size", options.getOrDefault("pagecache", "512m"));
        config.put("db.tx_log.rotation.retention_policy", "2 files");

        // The same settings a server reads from neo4j.conf, written where a person can see them.
        StringBuilder conf = new StringBuilder("# written by graphvec's Neo4j launcher at each start\n");
        config.forEach((key, value) -> conf.append(key).append('=').append(value).append('\n'));
        Path confFile = data.resolve("neo4j.conf");
        Files.writeString(confFile, conf.toString());
        DatabaseManagementService dbms = new DatabaseManagementServiceBuilder(data).loadPropertiesFromFile(confFile).build();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            dbms.shutdown();
            stopped.countDown();
        }, "graphvec-neo4j-shutdown"));

        GraphDatabaseService db = dbms.database("neo4j");
        int registered = registerGdsProcedures((GraphDatabaseAPI) db);
        // The embedded DBMS creates user 'neo4j' with the default password and a forced change;
        // set the real one before anyone is told the server is up.
        dbms.database("system").executeTransactionally(
                "ALTER USER neo4j SET PASSWORD $password CHANGE NOT REQUIRED", Map.of("password", password));
        System.err.println("graphvec-neo4j: Neo4j " + neo4jVersion(db) + ", " + registered
                + " GDS procedures and functions, data in " + data);
        System.out.println("bolt://127.0.0.1:" + port);
        System.out.flush();
        stopped.await();
    }

    private static String neo4jVersion(GraphDatabaseService db) {
        return db.executeTransactionally("CALL dbms.components() YIELD versions RETURN versions[0] AS v", Map.of(),
                result -> String.valueOf(result.next().get("v")));
    }

    /** Every class in a GDS jar on the classpath that declares a procedure or a function. */
    private static int registerGdsProcedures(GraphDatabaseAPI db) throws Exception {
        GlobalProcedures procedures = db.getDependencyResolver().resolveDependency(GlobalProcedures.class);
        ClassLoader loader = Server.class.getClassLoader();
        int count = 0;
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (!entry.endsWith(".jar") || !entry.replace('\\', '/').contains("/org/neo4j/gds/")) {
                continue;
            }
            for (String name : classNames(entry)) {
                Class<?> type;
                try {
                    type = Class.forName(name, false, loader);
                } catch (Throwable unusable) { // a class whose optional dependencies are absent
                    continue;
                }
                boolean procedure = false, function = false, aggregation = false;
                try {
                    for (Method method : type.getDeclaredMethods()) {
                        procedure |= method.isAnnotationPresent(Procedure.class);
                        function |= method.isAnnotationPresent(UserFunction.class);
                        aggregation |= method.isAnnotationPresent(UserAggregationFunction.class);
                    }
                } catch (Throwable unusable) {
                    continue;
                }
                if (procedure) {
                    procedures.registerProcedure(type);
                }
                if (function) {
                    procedures.registerFunction(type);
                }
                if (aggregation) {
                    procedures.registerAggregationFunction(type);
                }
                count += (procedure || function || aggregation) ? 1 : 0;
            }
        }
        if (count == 0) {
            throw new IllegalStateException("no GDS procedure classes on the classpath");
        }
        return count;
    }

    private static List<String> classNames(String jar) throws IOException {
        List<String> names = new ArrayList<>();
        try (JarFile file = new JarFile(jar)) {
            Enumeration<JarEntry> entries = file.entries();
            while (entries.hasMoreElements()) {
                String path = entries.nextElement().getName();
                if (path.endsWith(".class") && !path.contains("$") && !path.startsWith("META-INF")) {
                    names.add(path.substring(0, path.length() - 6).replace('/', '.'));
                }
            }
        }
        return names;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static Map<String, String> parse(String[] args) {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                System.err.println("graphvec-neo4j: usage: Server --data DIR [--port N] [--pagecache SIZE]");
                System.exit(2);
            }
            options.put(args[i].substring(2), args[++i]);
        }
        return options;
    }
}
