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
 * Apache Kafka brokers in child JVMs, in KRaft combined mode (each node is a broker and a controller voter), on
 * free ports of 127.0.0.1, for benchmarks and tests. One node (node 1, the sole voter) by default; a cluster of N
 * nodes (ids 1 to N, all voters of a static quorum) with {@link #start(File, int, Map)}:
 * <ol>
 *   <li>a fresh directory {@code sluice-perf-kafka-*} under the given parent holds a quiet
 *   {@code log4j2.properties} (warnings, plus the start and stop lines) and, for one node, its
 *   {@code server.properties}, data ({@code data/}) and the output of its JVMs ({@code format.log},
 *   {@code broker.log}); a cluster has those in a directory {@code node-ID} per node;</li>
 *   <li>{@code kafka.tools.StorageTool format} formats each data directory in a first child JVM: with
 *   {@code --standalone} for one node, with the same cluster id and the voters of
 *   {@code controller.quorum.voters} for a cluster (the nodes are formatted at the same time);</li>
 *   <li>{@code kafka.Kafka server.properties} runs each broker in a second one, with the heap and GC flags of
 *   Kafka's own start script ({@link #BROKER_JVM_FLAGS});</li>
 *   <li>{@link #start} returns once an {@link Admin} client sees every broker in the cluster.</li>
 * </ol>
 * The class path of both child JVMs is {@value #KAFKA_LIB_DIRECTORY}: the run-time closure of
 * {@code org.apache.kafka:kafka_2.13} that the build copies next to the perf jar and its classes directory (the
 * {@value #KAFKA_LIB_PROP_NAME} system property names another directory). The broker is never loaded in this JVM.
 * <p>
 * {@link #close()} stops the brokers (SIGTERM to all at once, which Kafka handles with a controlled shutdown; then
 * SIGKILL to any still running after {@link #STOP_TIMEOUT_MS} ms) and deletes the directory; a shutdown hook does the
 * same if this JVM exits first (Ctrl-C). A killed JVM (SIGKILL) leaves the brokers running: nothing can prevent that.
 * <p>
 * Internal topics get the replication factor of the cluster's size (1, or N), and a minimum ISR of 1, or 2 in a
 * cluster.
 * <p>
 * Threads: start, {@link #createTopic}, {@link #deleteTopics} and close from one thread.
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
    /** {@link #pause} waits at most this long for the brokers to go quiet. */
    static final long QUIET_TIMEOUT_MS = 15_000;
    static final long QUIET_SAMPLE_MS = 500;
    /** A broker using less than this share of a core is quiet. */
    static final double QUIET_CPU_SHARE = 0.1;

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
    private final List<Node> nodes;
    private final String bootstrapServers;
    private final Thread shutdownHook;
    private Admin admin;
    private boolean closed;
    private volatile boolean paused;

    private KafkaBrokerProcess(final File directory, final int size, final int[] ports)
    {
        this.directory = directory;
        final List<Node> created = new ArrayList<>();
        final StringBuilder bootstrap = new StringBuilder();
        for (int i = 0; i < size; i++)
        {
            // One node lives in the directory itself, as it always has; a cluster's nodes in node-ID below it.
            final int id = i + 1;
            final File nodeDirectory = 1 == size ? directory : new File(directory, "node-" + id);
            created.add(new Node(id, nodeDirectory, ports[2 * i], ports[2 * i + 1]));
            bootstrap.append(0 == i ? "" : ",").append(HOST).append(':').append(ports[2 * i]);
        }
        this.nodes = List.copyOf(created);
        this.bootstrapServers = bootstrap.toString();
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
        return start(parentDirectory, 1, overrides);
    }

    /**
     * Start a cluster of brokers, each also a controller voter, with some settings of their
     * {@code server.properties} replaced or added, and wait until every broker serves requests.
     *
     * @param parentDirectory under which the cluster's directory is created.
     * @param size            nodes, 1 or more.
     * @param overrides       broker settings, written after (so in place of) the standard ones, on every node.
     * @return the running cluster; close it.
     * @throws IOException          if files cannot be written or a JVM cannot be started.
     * @throws InterruptedException if interrupted while waiting.
     * @throws IllegalStateException if formatting or starting fails or times out, with the tail of the log.
     */
    static KafkaBrokerProcess start(final File parentDirectory, final int size, final Map<String, String> overrides)
        throws IOException, InterruptedException
    {
        if (size < 1)
        {
            throw new IllegalArgumentException("a cluster needs a node: " + size);
        }
        final String classPath = classPath(kafkaLibDirectory());
        final File directory = PerfFiles.createDirectory(parentDirectory, "sluice-perf-kafka-");
        final KafkaBrokerProcess broker = new KafkaBrokerProcess(directory, size, freePorts(2 * size));
        Runtime.getRuntime().addShutdownHook(broker.shutdownHook);
        try
        {
            broker.writeConfig(overrides);
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
     * @return {@code 127.0.0.1:port}, a comma-separated list for a cluster.
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
     * The broker's JVM (the first node's, in a cluster).
     *
     * @return its handle.
     */
    ProcessHandle processHandle()
    {
        return nodes.get(0).process.toHandle();
    }

    /**
     * Every node's JVM.
     *
     * @return their handles, by node.
     */
    List<ProcessHandle> processHandles()
    {
        final List<ProcessHandle> handles = new ArrayList<>();
        for (final Node node : nodes)
        {
            if (null != node.process)
            {
                handles.add(node.process.toHandle());
            }
        }
        return handles;
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
        createTopic(name, partitions, 1, Map.of());
    }

    /**
     * Create a topic and wait until every partition has a leader and all its replicas in sync.
     *
     * @param name              of the topic.
     * @param partitions        of the topic.
     * @param replicationFactor replicas of each partition, at most the cluster's size.
     * @param configs           topic settings, such as {@code min.insync.replicas}.
     * @throws InterruptedException if interrupted while waiting.
     * @throws IllegalStateException if the brokers refuse or do not finish in time.
     */
    void createTopic(
        final String name, final int partitions, final int replicationFactor, final Map<String, String> configs)
        throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_TIMEOUT_MS);
        try
        {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short)replicationFactor).configs(configs)))
                .all().get(START_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            while (!hasFullIsr(name, partitions, replicationFactor))
            {
                if (System.nanoTime() - deadline > 0)
                {
                    throw new IllegalStateException("topic " + name + " has not a leader and " + replicationFactor +
                        " in-sync replicas for every partition after " + START_TIMEOUT_MS + " ms" + logTail());
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
     * Delete every topic whose name starts with one of {@code prefixes}, and wait until the brokers have removed their
     * partition directories: until then their unwritten pages could still go to the device, in whatever runs next.
     * Kafka removes them {@code log.segment.delete.delay.ms} after the deletion (60 s by default): start the brokers
     * with it at 0 to wait only as long as the removal takes.
     *
     * @param prefixes of the names of the topics to delete.
     * @return how many topics were deleted.
     * @throws InterruptedException if interrupted while waiting.
     * @throws IllegalStateException if the brokers refuse, or do not answer or remove the files in time.
     */
    int deleteTopics(final String... prefixes) throws InterruptedException
    {
        try
        {
            final List<String> doomed = new ArrayList<>();
            for (final String name : admin.listTopics().names().get(START_TIMEOUT_MS, TimeUnit.MILLISECONDS))
            {
                if (startsWithAny(name, prefixes))
                {
                    doomed.add(name);
                }
            }
            if (!doomed.isEmpty())
            {
                admin.deleteTopics(doomed).all().get(START_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            }
            final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_TIMEOUT_MS);
            while (hasPartitionDirectory(prefixes))
            {
                if (System.nanoTime() - deadline > 0)
                {
                    throw new IllegalStateException("the partition directories of deleted topics " +
                        String.join(",", prefixes) + "* are still there after " + START_TIMEOUT_MS + " ms" + logTail());
                }
                Thread.sleep(POLL_MS);
            }
            return doomed.size();
        }
        catch (final ExecutionException | TimeoutException ex)
        {
            throw new IllegalStateException("cannot delete topics " + String.join(",", prefixes) + "*: " + ex +
                logTail(), ex);
        }
    }

    private boolean hasPartitionDirectory(final String... prefixes)
    {
        for (final Node node : nodes)
        {
            final String[] names = new File(node.directory, "data").list();
            for (final String name : null == names ? new String[0] : names)
            {
                if (startsWithAny(name, prefixes))
                {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean startsWithAny(final String name, final String... prefixes)
    {
        for (final String prefix : prefixes)
        {
            if (name.startsWith(prefix))
            {
                return true;
            }
        }
        return false;
    }

    /**
     * Freeze every broker JVM (SIGSTOP), so that it takes no CPU while something else is measured; its code stays
     * compiled. First it waits, at most {@link #QUIET_TIMEOUT_MS} ms, until each JVM uses less than
     * {@link #QUIET_CPU_SHARE} of a core over {@link #QUIET_SAMPLE_MS} ms, so that what the brokers still had to do
     * (compiling, removing deleted topics) is done before, not frozen and left for later. The admin client is closed,
     * as it would time out against a frozen broker. Returns once every thread of the brokers has stopped.
     * {@link #resume} undoes it.
     *
     * @throws IOException          if the signal cannot be sent.
     * @throws InterruptedException if interrupted while waiting.
     */
    void pause() throws IOException, InterruptedException
    {
        awaitQuiet();
        closeAdmin();
        signal("-STOP");
        paused = true;
        awaitStopped();
    }

    /**
     * {@code kill} returns once the signal is sent; each thread stops when the kernel next handles it. Wait until
     * every thread of every broker JVM shows state {@code T} in {@code /proc} (where there is one).
     */
    private void awaitStopped() throws IOException, InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STOP_TIMEOUT_MS);
        for (final Node node : nodes)
        {
            final File tasks = new File("/proc/" + node.process.pid() + "/task");
            while (tasks.isDirectory() && !allStopped(tasks))
            {
                if (System.nanoTime() - deadline > 0)
                {
                    throw new IllegalStateException("broker " + node.id + " not stopped " + STOP_TIMEOUT_MS +
                        " ms after SIGSTOP");
                }
                Thread.sleep(1);
            }
        }
    }

    private static boolean allStopped(final File tasks) throws IOException
    {
        final File[] threads = tasks.listFiles();
        for (final File thread : null == threads ? new File[0] : threads)
        {
            final String stat;
            try
            {
                stat = Files.readString(new File(thread, "stat").toPath());
            }
            catch (final java.nio.file.NoSuchFileException ex)
            {
                continue; // the thread ended
            }
            final int close = stat.lastIndexOf(')');
            if ('T' != stat.charAt(close + 2))
            {
                return false;
            }
        }
        return true;
    }

    private void closeAdmin()
    {
        if (null != admin)
        {
            admin.close(Duration.ofSeconds(5));
            admin = null;
        }
    }

    private void awaitQuiet() throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(QUIET_TIMEOUT_MS);
        long[] before = cpuNanos();
        while (System.nanoTime() - deadline < 0)
        {
            Thread.sleep(QUIET_SAMPLE_MS);
            final long[] after = cpuNanos();
            boolean quiet = true;
            for (int i = 0; i < after.length; i++)
            {
                quiet &= after[i] - before[i] < QUIET_CPU_SHARE * TimeUnit.MILLISECONDS.toNanos(QUIET_SAMPLE_MS);
            }
            if (quiet)
            {
                break;
            }
            before = after;
        }
    }

    private long[] cpuNanos()
    {
        final long[] nanos = new long[nodes.size()];
        for (int i = 0; i < nanos.length; i++)
        {
            nanos[i] = nodes.get(i).process.info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
        }
        return nanos;
    }

    /**
     * Let frozen broker JVMs run again (SIGCONT) and wait until every broker serves requests.
     *
     * @throws IOException          if the signal cannot be sent.
     * @throws InterruptedException if interrupted while waiting.
     * @throws IllegalStateException if a broker does not serve requests in time.
     */
    void resume() throws IOException, InterruptedException
    {
        signal("-CONT");
        paused = false;
        awaitReady();
    }

    private void signal(final String signal) throws IOException, InterruptedException
    {
        final List<String> command = new ArrayList<>(List.of("kill", signal));
        for (final Node node : nodes)
        {
            command.add(Long.toString(node.process.pid()));
        }
        final Process kill = new ProcessBuilder(command).redirectErrorStream(true).start();
        final String output = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (0 != kill.waitFor())
        {
            throw new IOException(String.join(" ", command) + " failed with exit code " + kill.exitValue() + ": " +
                output);
        }
    }

    /**
     * Stop the brokers, wait for their JVMs to exit and delete the directory. Idempotent.
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
        closeAdmin();
        final List<Process> processes = new ArrayList<>();
        for (final Node node : nodes)
        {
            if (null != node.process)
            {
                processes.add(node.process);
            }
        }
        if (paused)
        {
            // A frozen JVM would only act on SIGTERM once continued: let it shut down as usual.
            try
            {
                signal("-CONT");
                paused = false;
            }
            catch (final IOException ex)
            {
                // SIGKILL after the timeout ends it anyway
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
        stop(processes);
        PerfFiles.deleteRecursively(directory);
    }

    /**
     * SIGTERM to every process at once (so the nodes of a cluster shut down together, none waiting for a quorum
     * the others already left), then SIGKILL to any still running after {@link #STOP_TIMEOUT_MS} ms.
     */
    private static void stop(final List<Process> processes)
    {
        for (final Process process : processes)
        {
            process.destroy();
        }
        try
        {
            final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STOP_TIMEOUT_MS);
            for (final Process process : processes)
            {
                if (!process.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS))
                {
                    process.destroyForcibly();
                    process.waitFor(STOP_TIMEOUT_MS, TimeUnit.MILLISECONDS);
                }
            }
        }
        catch (final InterruptedException ex)
        {
            for (final Process process : processes)
            {
                process.destroyForcibly();
            }
            Thread.currentThread().interrupt();
        }
    }

    private void writeConfig(final Map<String, String> overrides) throws IOException
    {
        final int size = nodes.size();
        final StringBuilder voters = new StringBuilder();
        for (final Node node : nodes)
        {
            voters.append(voters.length() > 0 ? "," : "").append(node.id).append('@').append(node.controller());
        }
        final int internalMinIsr = 1 == size ? 1 : 2;
        for (final Node node : nodes)
        {
            final String config = String.join("\n",
                "process.roles=broker,controller",
                "node.id=" + node.id,
                // One node: a dynamic quorum formatted --standalone; a cluster: a static quorum of every node.
                1 == size ? "controller.quorum.bootstrap.servers=" + node.controller() :
                    "controller.quorum.voters=" + voters,
                "listeners=PLAINTEXT://" + node.broker() + ",CONTROLLER://" + node.controller(),
                "advertised.listeners=PLAINTEXT://" + node.broker(),
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
                "log.dirs=" + new File(node.directory, "data").getAbsolutePath(),
                "num.partitions=1",
                "auto.create.topics.enable=false",
                "offsets.topic.replication.factor=" + size,
                "transaction.state.log.replication.factor=" + size,
                "transaction.state.log.min.isr=" + internalMinIsr,
                "share.coordinator.state.topic.replication.factor=" + size,
                "share.coordinator.state.topic.min.isr=" + internalMinIsr,
                "group.initial.rebalance.delay.ms=0",
                "");
            final StringBuilder overridden = new StringBuilder(config);
            overrides.forEach((key, value) -> overridden.append(key).append('=').append(value).append('\n'));
            Files.createDirectories(node.directory.toPath());
            Files.writeString(node.serverProperties().toPath(), overridden, StandardCharsets.UTF_8);
        }
        Files.writeString(log4jProperties().toPath(), LOG4J2_PROPERTIES, StandardCharsets.UTF_8);
    }

    private void format(final String classPath) throws IOException, InterruptedException
    {
        final String clusterId = Uuid.randomUuid().toString();
        final List<Process> formatters = new ArrayList<>();
        try
        {
            for (final Node node : nodes)
            {
                final List<String> command = javaCommand(classPath, List.of("-Xmx256m"), STORAGE_TOOL_MAIN_CLASS);
                command.addAll(List.of("format", "--cluster-id", clusterId,
                    "--config", node.serverProperties().getAbsolutePath()));
                if (1 == nodes.size())
                {
                    command.add("--standalone");
                }
                formatters.add(new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(node.formatLog())
                    .start());
            }
            final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_TIMEOUT_MS);
            for (int i = 0; i < formatters.size(); i++)
            {
                final Process formatter = formatters.get(i);
                final File formatLog = nodes.get(i).formatLog();
                if (!formatter.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS))
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
        }
        finally
        {
            stop(formatters);
        }
    }

    private void launch(final String classPath) throws IOException
    {
        for (final Node node : nodes)
        {
            final List<String> command = javaCommand(classPath, BROKER_JVM_FLAGS, BROKER_MAIN_CLASS);
            command.add(node.serverProperties().getAbsolutePath());
            node.process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(node.logFile())
                .start();
        }
    }

    private void awaitReady() throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_TIMEOUT_MS);
        // Wait for the listeners before creating the client, which would otherwise log every refused connection.
        for (final Node node : nodes)
        {
            while (!accepts(node.broker()))
            {
                checkStarting(deadline);
                Thread.sleep(POLL_MS);
            }
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
                if (admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).size() == nodes.size())
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
        for (final Node node : nodes)
        {
            if (!node.process.isAlive())
            {
                throw new IllegalStateException("the Kafka broker " + node.id + " exited with code " +
                    node.process.exitValue() + " while starting" + tail(node.logFile()));
            }
        }
        if (System.nanoTime() - deadline > 0)
        {
            throw new IllegalStateException("the Kafka broker did not serve requests within " + START_TIMEOUT_MS +
                " ms" + logTail());
        }
    }

    private boolean hasFullIsr(final String name, final int partitions, final int replicas)
        throws InterruptedException
    {
        try
        {
            final Map<String, TopicDescription> topics =
                admin.describeTopics(List.of(name)).allTopicNames().get(5, TimeUnit.SECONDS);
            final List<TopicPartitionInfo> infos = topics.get(name).partitions();
            return infos.size() == partitions &&
                infos.stream().allMatch((info) -> null != info.leader() && info.isr().size() == replicas);
        }
        catch (final ExecutionException | TimeoutException ex)
        {
            return false;
        }
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
        final StringBuilder tails = new StringBuilder();
        for (final Node node : nodes)
        {
            tails.append(tail(node.logFile()));
        }
        return tails.toString();
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

    /**
     * One node: broker and controller in one JVM.
     */
    private static final class Node
    {
        private final int id;
        private final File directory;
        private final int brokerPort;
        private final int controllerPort;
        private Process process;

        Node(final int id, final File directory, final int brokerPort, final int controllerPort)
        {
            this.id = id;
            this.directory = directory;
            this.brokerPort = brokerPort;
            this.controllerPort = controllerPort;
        }

        String broker()
        {
            return HOST + ":" + brokerPort;
        }

        String controller()
        {
            return HOST + ":" + controllerPort;
        }

        File serverProperties()
        {
            return new File(directory, "server.properties");
        }

        File formatLog()
        {
            return new File(directory, "format.log");
        }

        File logFile()
        {
            return new File(directory, "broker.log");
        }
    }
}
