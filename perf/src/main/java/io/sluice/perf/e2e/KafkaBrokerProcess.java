package io.sluice.perf.e2e;

import io.sluice.perf.PerfFiles;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.Uuid;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One Apache Kafka broker in a child JVM, in KRaft combined mode (node 1 is broker and sole controller voter), on
 * free ports of 127.0.0.1, for benchmarks and tests:
 * <ol>
 *   <li>a fresh directory {@code sluice-perf-kafka-*} under the given parent holds {@code server.properties}, a quiet
 *   {@code log4j2.properties} (warnings, plus the start and stop lines), the data ({@code data/}) and the output of
 *   the child JVMs ({@code format.log}, {@code broker.log});</li>
 *   <li>{@code kafka.tools.StorageTool format --standalone} formats the data directory in a first child JVM;</li>
 *   <li>{@code kafka.Kafka server.properties} runs the broker in a second one, with the heap and GC flags of Kafka's
 *   own start script ({@link #BROKER_JVM_FLAGS});</li>
 *   <li>{@link #start} returns once an {@link Admin} client sees the broker in the cluster.</li>
 * </ol>
 * The class path of both child JVMs is {@value #KAFKA_LIB_DIRECTORY}: the run-time closure of
 * {@code org.apache.kafka:kafka_2.13} that the build copies next to the perf jar and its classes directory (the
 * {@value #KAFKA_LIB_PROP_NAME} system property names another directory). The broker is never loaded in this JVM.
 * <p>
 * {@link #close()} stops the broker (SIGTERM, which Kafka handles with a controlled shutdown; then SIGKILL if it is
 * still running after {@link #STOP_TIMEOUT_MS} ms) and deletes the directory; a shutdown hook does the same if this
 * JVM exits first (Ctrl-C). A killed JVM (SIGKILL) leaves the broker running: nothing can prevent that.
 * <p>
 * Threads: start, {@link #createTopic}, and close from one thread.
 */
final class KafkaBrokerProcess implements AutoCloseable
{
    /** System property naming the directory of the broker's jars. */
    static final String KAFKA_LIB_PROP_NAME = "sluice.perf.kafka.lib";
    /** Name of the directory of the broker's jars, next to the perf jar or its classes directory. */
    static final String KAFKA_LIB_DIRECTORY = "kafka-lib";
    static final List<String> BROKER_JVM_FLAGS = List.of(
        "-Xms1g", "-Xmx1g", "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20", "-XX:InitiatingHeapOccupancyPercent=35",
        "-XX:+ExplicitGCInvokesConcurrent", "-Djava.awt.headless=true");
    static final long START_TIMEOUT_MS = 60_000;
    static final long STOP_TIMEOUT_MS = 20_000;

    private static final String BROKER_MAIN_CLASS = "kafka.Kafka";
    private static final String STORAGE_TOOL_MAIN_CLASS = "kafka.tools.StorageTool";
    private static final String HOST = "127.0.0.1";
    private static final long POLL_MS = 100;
    private static final int LOG_TAIL_BYTES = 8 * 1024;
    private static final String LOG4J2_PROPERTIES = String.join("\n",
        "status = warn",
        "appender.out.type = Console",
        "appender.out.name = out",
        "appender.out.target = SYSTEM_OUT",
        "appender.out.layout.type = PatternLayout",
        "appender.out.layout.pattern = [%d] %p %m (%c)%n",
        "rootLogger.level = warn",
        "rootLogger.appenderRef.out.ref = out",
        "logger.server.name = kafka.server.KafkaRaftServer",
        "logger.server.level = info",
        "");

    private final File directory;
    private final File logFile;
    private final String bootstrapServers;
    private final Thread shutdownHook;
    private Process process;
    private Admin admin;
    private boolean closed;

    private KafkaBrokerProcess(final File directory, final int brokerPort)
    {
        this.directory = directory;
        this.logFile = new File(directory, "broker.log");
        this.bootstrapServers = HOST + ":" + brokerPort;
        this.shutdownHook = new Thread(this::stopAndDelete, "sluice-perf-kafka-cleanup");
    }

    /**
     * Start a broker and wait until it serves requests.
     *
     * @param parentDirectory under which the broker's directory is created.
     * @return the running broker; close it.
     * @throws IOException          if files cannot be written or a JVM cannot be started.
     * @throws InterruptedException if interrupted while waiting.
     * @throws IllegalStateException if formatting or starting fails or times out, with the tail of the log.
     */
    static KafkaBrokerProcess start(final File parentDirectory) throws IOException, InterruptedException
    {
        return start(parentDirectory, Map.of());
    }

    /**
     * Start a broker with some settings of its {@code server.properties} replaced or added, and wait until it serves
     * requests.
     *
     * @param parentDirectory under which the broker's directory is created.
     * @param overrides       broker settings, written after (so in place of) the standard ones.
     * @return the running broker; close it.
     * @throws IOException          if files cannot be written or a JVM cannot be started.
     * @throws InterruptedException if interrupted while waiting.
     * @throws IllegalStateException if formatting or starting fails or times out, with the tail of the log.
     */
    static KafkaBrokerProcess start(final File parentDirectory, final Map<String, String> overrides)
        throws IOException, InterruptedException
    {
        final String classPath = classPath(kafkaLibDirectory());
        final File directory = PerfFiles.createDirectory(parentDirectory, "sluice-perf-kafka-");
        final int[] ports = freePorts(2);
        final KafkaBrokerProcess broker = new KafkaBrokerProcess(directory, ports[0]);
        Runtime.getRuntime().addShutdownHook(broker.shutdownHook);
        try
        {
            broker.writeConfig(ports[0], ports[1], overrides);
            broker.format(classPath);
            broker.launch(classPath);
            broker.awaitReady();
            return broker;
        }
        catch (final IOException | InterruptedException | RuntimeException ex)
        {
            broker.close();
            throw ex;
        }
    }

    /**
     * Where clients connect.
     *
     * @return {@code 127.0.0.1:port}.
     */
    String bootstrapServers()
    {
        return bootstrapServers;
    }

    /**
     * The broker's directory: configuration, data and logs.
     *
     * @return the directory, deleted on close.
     */
    File directory()
    {
        return directory;
    }

    /**
     * The broker's JVM.
     *
     * @return its handle.
     */
    ProcessHandle processHandle()
    {
        return process.toHandle();
    }

    /**
     * Create a topic (replication factor 1) and wait until every partition has a leader.
     *
     * @param name       of the topic.
     * @param partitions of the topic.
     * @throws InterruptedException if interrupted while waiting.
     * @throws IllegalStateException if the broker refuses or does not finish in time.
     */
    void createTopic(final String name, final int partitions) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_TIMEOUT_MS);
        try
        {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short)1)))
                .all().get(START_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            while (!hasLeaders(name, partitions))
            {
                if (System.nanoTime() - deadline > 0)
                {
                    throw new IllegalStateException("topic " + name + " has no leader for every partition after " +
                        START_TIMEOUT_MS + " ms" + logTail());
                }
                Thread.sleep(POLL_MS);
            }
        }
        catch (final ExecutionException | TimeoutException ex)
        {
            throw new IllegalStateException("cannot create topic " + name + ": " + ex + logTail(), ex);
        }
    }

    /**
     * Stop the broker, wait for its JVM to exit and delete its directory. Idempotent.
     */
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        stopAndDelete();
        try
        {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        }
        catch (final IllegalStateException ignore)
        {
            // the JVM is shutting down: the hook does the same
        }
    }

    private synchronized void stopAndDelete()
    {
        if (null != admin)
        {
            admin.close(Duration.ofSeconds(5));
            admin = null;
        }
        if (null != process)
        {
            stop(process);
        }
        PerfFiles.deleteRecursively(directory);
    }

    private static void stop(final Process process)
    {
        if (!process.isAlive())
        {
            return;
        }
        process.destroy();
        try
        {
            if (!process.waitFor(STOP_TIMEOUT_MS, TimeUnit.MILLISECONDS))
            {
                process.destroyForcibly();
                process.waitFor(STOP_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            }
        }
        catch (final InterruptedException ex)
        {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private void writeConfig(final int brokerPort, final int controllerPort, final Map<String, String> overrides)
        throws IOException
    {
        final String controller = HOST + ":" + controllerPort;
        final String config = String.join("\n",
            "process.roles=broker,controller",
            "node.id=1",
            "controller.quorum.bootstrap.servers=" + controller,
            "listeners=PLAINTEXT://" + bootstrapServers + ",CONTROLLER://" + controller,
            "advertised.listeners=PLAINTEXT://" + bootstrapServers,
            "controller.listener.names=CONTROLLER",
            "inter.broker.listener.name=PLAINTEXT",
            "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
            "log.dirs=" + new File(directory, "data").getAbsolutePath(),
            "num.partitions=1",
            "auto.create.topics.enable=false",
            "offsets.topic.replication.factor=1",
            "transaction.state.log.replication.factor=1",
            "transaction.state.log.min.isr=1",
            "share.coordinator.state.topic.replication.factor=1",
            "share.coordinator.state.topic.min.isr=1",
            "group.initial.rebalance.delay.ms=0",
            "");
        final StringBuilder overridden = new StringBuilder(config);
        overrides.forEach((key, value) -> overridden.append(key).append('=').append(value).append('\n'));
        Files.writeString(serverProperties().toPath(), overridden, StandardCharsets.UTF_8);
        Files.writeString(log4jProperties().toPath(), LOG4J2_PROPERTIES, StandardCharsets.UTF_8);
    }

    private void format(final String classPath) throws IOException, InterruptedException
    {
        final File formatLog = new File(directory, "format.log");
        final List<String> command = javaCommand(classPath, List.of("-Xmx256m"), STORAGE_TOOL_MAIN_CLASS);
        command.addAll(List.of("format", "--cluster-id", Uuid.randomUuid().toString(),
            "--config", serverProperties().getAbsolutePath(), "--standalone"));
        final Process formatter = new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(formatLog)
            .start();
        try
        {
            if (!formatter.waitFor(START_TIMEOUT_MS, TimeUnit.MILLISECONDS))
            {
                throw new IllegalStateException("formatting the Kafka storage took over " + START_TIMEOUT_MS +
                    " ms" + tail(formatLog));
            }
            if (0 != formatter.exitValue())
            {
                throw new IllegalStateException("formatting the Kafka storage failed with exit code " +
                    formatter.exitValue() + tail(formatLog));
            }
        }
        finally
        {
            stop(formatter);
        }
    }

    private void launch(final String classPath) throws IOException
    {
        final List<String> command = javaCommand(classPath, BROKER_JVM_FLAGS, BROKER_MAIN_CLASS);
        command.add(serverProperties().getAbsolutePath());
        process = new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(logFile)
            .start();
    }

    private void awaitReady() throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_TIMEOUT_MS);
        // Wait for the listener before creating the client, which would otherwise log every refused connection.
        while (!accepts(bootstrapServers))
        {
            checkStarting(deadline);
            Thread.sleep(POLL_MS);
        }
        final Properties config = new Properties();
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(AdminClientConfig.CLIENT_ID_CONFIG, "sluice-perf-admin");
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
        admin = Admin.create(config);
        while (true)
        {
            checkStarting(deadline);
            try
            {
                if (!admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty())
                {
                    return;
                }
            }
            catch (final ExecutionException | TimeoutException ex)
            {
                // not serving yet
            }
            Thread.sleep(POLL_MS);
        }
    }

    private void checkStarting(final long deadline)
    {
        if (!process.isAlive())
        {
            throw new IllegalStateException("the Kafka broker exited with code " + process.exitValue() +
                " while starting" + logTail());
        }
        if (System.nanoTime() - deadline > 0)
        {
            throw new IllegalStateException("the Kafka broker did not serve requests within " + START_TIMEOUT_MS +
                " ms" + logTail());
        }
    }

    private boolean hasLeaders(final String name, final int partitions) throws InterruptedException
    {
        try
        {
            final Map<String, TopicDescription> topics =
                admin.describeTopics(List.of(name)).allTopicNames().get(5, TimeUnit.SECONDS);
            final List<TopicPartitionInfo> infos = topics.get(name).partitions();
            return infos.size() == partitions && infos.stream().allMatch((info) -> null != info.leader());
        }
        catch (final ExecutionException | TimeoutException ex)
        {
            return false;
        }
    }

    private File serverProperties()
    {
        return new File(directory, "server.properties");
    }

    private File log4jProperties()
    {
        return new File(directory, "log4j2.properties");
    }

    private List<String> javaCommand(final String classPath, final List<String> jvmFlags, final String mainClass)
    {
        final List<String> command = new ArrayList<>();
        command.add(new File(new File(System.getProperty("java.home"), "bin"), "java").getPath());
        command.addAll(jvmFlags);
        command.add("-Dlog4j2.configurationFile=" + log4jProperties().getAbsolutePath());
        command.add("-cp");
        command.add(classPath);
        command.add(mainClass);
        return command;
    }

    private String logTail()
    {
        return tail(logFile);
    }

    private static String tail(final File file)
    {
        if (!file.exists())
        {
            return "";
        }
        try (RandomAccessFile raf = new RandomAccessFile(file, "r"))
        {
            final long length = raf.length();
            final int count = (int)Math.min(length, LOG_TAIL_BYTES);
            final byte[] bytes = new byte[count];
            raf.seek(length - count);
            raf.readFully(bytes);
            return "; last " + count + " bytes of " + file.getName() + ":\n" +
                new String(bytes, StandardCharsets.UTF_8);
        }
        catch (final IOException ex)
        {
            return "; cannot read " + file + ": " + ex;
        }
    }

    private static boolean accepts(final String hostPort)
    {
        final int colon = hostPort.lastIndexOf(':');
        try (Socket socket = new Socket())
        {
            socket.connect(new InetSocketAddress(hostPort.substring(0, colon),
                Integer.parseInt(hostPort.substring(colon + 1))), 1_000);
            return true;
        }
        catch (final IOException ex)
        {
            return false;
        }
    }

    /**
     * Ports free on 127.0.0.1 now, all different (the sockets are held until all are found). Another process may
     * take one before the broker binds it; the broker then fails to start, with a clear message.
     */
    static int[] freePorts(final int count) throws IOException
    {
        final ServerSocket[] sockets = new ServerSocket[count];
        try
        {
            final int[] ports = new int[count];
            for (int i = 0; i < count; i++)
            {
                sockets[i] = new ServerSocket(0, 1, InetAddress.getByName(HOST));
                ports[i] = sockets[i].getLocalPort();
            }
            return ports;
        }
        finally
        {
            for (final ServerSocket socket : sockets)
            {
                if (null != socket)
                {
                    socket.close();
                }
            }
        }
    }

    /**
     * The directory of the broker's jars: {@value #KAFKA_LIB_PROP_NAME} if set, else {@value #KAFKA_LIB_DIRECTORY}
     * next to where this class was loaded from (the perf jar, or the classes directory in a build).
     *
     * @return the directory.
     * @throws IllegalStateException if it holds no {@code kafka_2.13} jar.
     */
    static File kafkaLibDirectory()
    {
        final String property = System.getProperty(KAFKA_LIB_PROP_NAME);
        final File directory;
        if (null != property)
        {
            directory = new File(property);
        }
        else
        {
            try
            {
                final File codeSource = new File(
                    KafkaBrokerProcess.class.getProtectionDomain().getCodeSource().getLocation().toURI());
                directory = new File(codeSource.getAbsoluteFile().getParentFile(), KAFKA_LIB_DIRECTORY);
            }
            catch (final Exception ex)
            {
                throw new IllegalStateException("cannot locate " + KAFKA_LIB_DIRECTORY + "; set -D" +
                    KAFKA_LIB_PROP_NAME, ex);
            }
        }
        final File[] brokerJars = directory.listFiles((dir, name) -> name.startsWith("kafka_2.13-"));
        if (null == brokerJars || 0 == brokerJars.length)
        {
            throw new IllegalStateException("no Kafka broker jars in " + directory + ": build them with " +
                "`./mvnw -pl perf -am package -DskipTests` (they are copied to perf/target/" + KAFKA_LIB_DIRECTORY +
                "), or set -D" + KAFKA_LIB_PROP_NAME);
        }
        return directory;
    }

    private static String classPath(final File libDirectory)
    {
        // The JVM expands "dir/*" to every jar in dir.
        return new File(libDirectory, "*").getPath();
    }
}
