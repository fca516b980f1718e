package io.sluice.engine;

import org.agrona.CloseHelper;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.CachedEpochClock;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.SystemEpochClock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.Reader;
import java.io.Writer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The logs of one data directory: opens (and recovers) every partition at start, creates and deletes topics, and
 * runs the maintenance agent (next-segment preparation, pretouch, interval flush, retention, unmapping).
 * <p>
 * The logs read time from a clock the maintenance agent advances once per duty cycle (every millisecond or so when
 * idle), so segment age costs the writer no system call; in {@link MaintenanceMode#INVOKER} mode time advances as
 * often as the caller invokes maintenance. The data directory is locked against other processes ({@code .lock}).
 * Each partition lives in
 * {@code <data>/<topic>-<partition>/}, with the topic's configuration overrides in {@code log.properties}.
 * Create, delete and close may be called from any thread; deleting a topic requires its writers to have stopped.
 */
public final class LogManager implements AutoCloseable
{
    static final String LOCK_FILE = ".lock";
    static final String CONFIG_FILE = "log.properties";
    /** Prefix of the marker file of a topic being created ({@link TopicCreation}). */
    static final String CREATING_PREFIX = ".creating-";
    private static final Logger LOG = LoggerFactory.getLogger(LogManager.class);
    private static final Pattern TOPIC_NAME = Pattern.compile("[a-zA-Z0-9._-]{1,200}");
    private static final Pattern PARTITION_DIR = Pattern.compile("(.+)-([0-9]{1,9})");
    /**
     * Data directories open in this JVM. File locks belong to the process, and closing any channel on the lock file
     * releases them, so a second open in the same JVM must be refused before it touches the lock file.
     */
    private static final java.util.Set<String> OPEN_IN_THIS_PROCESS = ConcurrentHashMap.newKeySet();

    /** How the maintenance agent runs. */
    public enum MaintenanceMode
    {
        /** On its own thread, started by {@link #open(Context)}. */
        DEDICATED,
        /** Driven by the caller through {@link #maintenanceInvoker()}. */
        INVOKER
    }

    /**
     * Configuration of a {@link LogManager}. Call {@link #conclude()} once (done by {@link #open(Context)}).
     */
    public static final class Context
    {
        private File dataDirectory;
        private LogConfig defaultConfig;
        private EpochClock epochClock;
        private MaintenanceMode maintenanceMode = MaintenanceMode.DEDICATED;
        private IdleStrategy maintenanceIdleStrategy;
        private ErrorHandler errorHandler;
        private boolean partialTopics;
        private boolean concluded;

        /**
         * Fill defaults and validate.
         *
         * @return this for a fluent API.
         * @throws IllegalStateException if concluded twice or no data directory is set.
         */
        public Context conclude()
        {
            if (concluded)
            {
                throw new IllegalStateException("context already concluded");
            }
            concluded = true;
            if (null == dataDirectory)
            {
                throw new IllegalStateException("dataDirectory is required");
            }
            if (null == defaultConfig)
            {
                defaultConfig = LogConfig.defaults();
            }
            if (null == epochClock)
            {
                epochClock = SystemEpochClock.INSTANCE;
            }
            if (null == maintenanceIdleStrategy)
            {
                maintenanceIdleStrategy = new SleepingMillisIdleStrategy(1);
            }
            if (null == errorHandler)
            {
                errorHandler = (throwable) -> LOG.error("log maintenance failed", throwable);
            }
            return this;
        }

        /**
         * @param partialTopics whether the directory may hold only some partitions of a topic, as a broker of a
         *                      cluster holds only the replicas assigned to it (see {@link #openPartition}); off, a
         *                      topic's partitions must be 0 to n - 1.
         * @return this for a fluent API.
         */
        public Context partialTopics(final boolean partialTopics)
        {
            this.partialTopics = partialTopics;
            return this;
        }

        /**
         * @param dataDirectory holding one directory per partition.
         * @return this for a fluent API.
         */
        public Context dataDirectory(final File dataDirectory)
        {
            this.dataDirectory = dataDirectory;
            return this;
        }

        /** @return the data directory. */
        public File dataDirectory()
        {
            return dataDirectory;
        }

        /**
         * @param defaultConfig for topics, before their own overrides.
         * @return this for a fluent API.
         */
        public Context defaultConfig(final LogConfig defaultConfig)
        {
            this.defaultConfig = defaultConfig;
            return this;
        }

        /** @return the default log configuration. */
        public LogConfig defaultConfig()
        {
            return defaultConfig;
        }

        /**
         * @param epochClock for segment age and retention.
         * @return this for a fluent API.
         */
        public Context epochClock(final EpochClock epochClock)
        {
            this.epochClock = epochClock;
            return this;
        }

        /** @return the clock. */
        public EpochClock epochClock()
        {
            return epochClock;
        }

        /**
         * @param maintenanceMode dedicated thread, or invoked by the caller.
         * @return this for a fluent API.
         */
        public Context maintenanceMode(final MaintenanceMode maintenanceMode)
        {
            this.maintenanceMode = maintenanceMode;
            return this;
        }

        /** @return the maintenance mode. */
        public MaintenanceMode maintenanceMode()
        {
            return maintenanceMode;
        }

        /**
         * @param idleStrategy of the dedicated maintenance thread; sleeps 1 ms by default.
         * @return this for a fluent API.
         */
        public Context maintenanceIdleStrategy(final IdleStrategy idleStrategy)
        {
            this.maintenanceIdleStrategy = idleStrategy;
            return this;
        }

        /**
         * @param errorHandler for maintenance failures.
         * @return this for a fluent API.
         */
        public Context errorHandler(final ErrorHandler errorHandler)
        {
            this.errorHandler = errorHandler;
            return this;
        }
    }

    private final Context ctx;
    private final File dataDirectory;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final String lockKey;
    private final ConcurrentHashMap<String, PartitionLog[]> topics = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, LogConfig> topicConfigs = new ConcurrentHashMap<>();
    /** Topics being created, by name; guarded by this manager's monitor. */
    private final Map<String, TopicCreation> creations = new TreeMap<>();
    /** Every open log, republished on each topic change, so a maintenance duty cycle iterates without allocating. */
    private volatile PartitionLog[] allLogs = new PartitionLog[0];
    /** Time seen by the logs, advanced once per maintenance duty cycle: a writer reads a field, not the OS clock. */
    private final CachedEpochClock logClock = new CachedEpochClock();
    private final AgentRunner maintenanceRunner;
    private final AgentInvoker maintenanceInvoker;
    private volatile boolean closed;

    private LogManager(final Context ctx, final FileChannel lockChannel, final FileLock lock, final String lockKey)
    {
        this.ctx = ctx;
        this.lockKey = lockKey;
        this.logClock.update(ctx.epochClock().time());
        this.dataDirectory = ctx.dataDirectory();
        this.lockChannel = lockChannel;
        this.lock = lock;
        final Agent agent = new MaintenanceAgent();
        if (ctx.maintenanceMode() == MaintenanceMode.DEDICATED)
        {
            maintenanceRunner = new AgentRunner(ctx.maintenanceIdleStrategy, ctx.errorHandler, null, agent);
            maintenanceInvoker = null;
        }
        else
        {
            maintenanceRunner = null;
            maintenanceInvoker = new AgentInvoker(ctx.errorHandler, null, agent);
        }
    }

    /**
     * Lock the data directory, open and recover every partition in it, and start maintenance.
     *
     * @param ctx configuration; concluded here.
     * @return the open manager.
     * @throws LogStorageException if the data directory cannot be used.
     */
    public static LogManager open(final Context ctx)
    {
        ctx.conclude();
        final File dir = ctx.dataDirectory();
        if (dir.exists() && !dir.isDirectory())
        {
            throw new LogStorageException("data directory " + dir + " is not a directory");
        }
        if (!dir.exists() && !dir.mkdirs())
        {
            throw new LogStorageException("cannot create data directory " + dir);
        }
        if (!Files.isWritable(dir.toPath()) || !Files.isExecutable(dir.toPath()))
        {
            throw new LogStorageException("data directory " + dir + " is not writable");
        }

        final String key = canonicalPath(dir);
        if (!OPEN_IN_THIS_PROCESS.add(key))
        {
            throw new LogStorageException("data directory " + dir + " is already open in this process");
        }

        final FileChannel lockChannel;
        final FileLock lock;
        try
        {
            lockChannel = new RandomAccessFile(new File(dir, LOCK_FILE), "rw").getChannel();
            lock = lockChannel.tryLock();
            if (null == lock)
            {
                lockChannel.close();
                OPEN_IN_THIS_PROCESS.remove(key);
                throw new LogStorageException("data directory " + dir + " is locked by another process");
            }
        }
        catch (final IOException ex)
        {
            OPEN_IN_THIS_PROCESS.remove(key);
            throw new LogStorageException("cannot lock data directory " + dir, ex);
        }

        final LogManager manager = new LogManager(ctx, lockChannel, lock, key);
        try
        {
            manager.loadAll();
        }
        catch (final RuntimeException ex)
        {
            manager.close();
            throw ex;
        }
        if (null != manager.maintenanceRunner)
        {
            AgentRunner.startOnThread(manager.maintenanceRunner);
        }
        else
        {
            manager.maintenanceInvoker.start();
        }
        return manager;
    }

    /**
     * Create a topic with {@code partitions} empty partitions.
     *
     * @param topic      name: 1 to 200 of {@code [a-zA-Z0-9._-]}, not {@code .} or {@code ..}.
     * @param partitions at least 1.
     * @param overrides  of the default configuration for this topic.
     * @return the partition logs, by partition number.
     * @throws IllegalArgumentException if the name, count or configuration is invalid or the topic exists.
     */
    public List<PartitionLog> createTopic(final String topic, final int partitions, final Map<String, String> overrides)
    {
        final TopicCreation creation = beginTopic(topic, partitions, overrides);
        creation.createPartitions(partitions);
        return creation.complete();
    }

    /**
     * Begin creating a topic whose partitions are then created a few at a time ({@link TopicCreation}), for a
     * caller that must not block long, such as a broker's agent creating a wide topic over several duty cycles.
     * The name is taken from now on; the topic is listed once {@link TopicCreation#complete() complete}.
     *
     * @param topic      name: 1 to 200 of {@code [a-zA-Z0-9._-]}, not {@code .} or {@code ..}.
     * @param partitions at least 1.
     * @param overrides  of the default configuration for this topic.
     * @return the creation, with no partition created yet.
     * @throws IllegalArgumentException if the name, count or configuration is invalid or the topic exists.
     * @throws LogStorageException if the creation cannot be recorded in the data directory.
     */
    public synchronized TopicCreation beginTopic(
        final String topic, final int partitions, final Map<String, String> overrides)
    {
        checkOpen();
        validateTopicName(topic);
        if (partitions < 1)
        {
            throw new IllegalArgumentException("partitions must be at least 1: " + partitions);
        }
        if (topics.containsKey(topic) || creations.containsKey(topic))
        {
            throw new IllegalArgumentException("topic already exists: " + topic);
        }
        final LogConfig config = ctx.defaultConfig().with(overrides);
        final File marker = new File(dataDirectory, CREATING_PREFIX + topic);
        try
        {
            Files.write(marker.toPath(), new byte[0]);
        }
        catch (final IOException ex)
        {
            throw new LogStorageException("cannot create " + marker, ex);
        }
        final TopicCreation creation = new TopicCreation(topic, config, overrides, new PartitionLog[partitions], marker);
        creations.put(topic, creation);
        return creation;
    }

    /**
     * A topic being created by {@link #beginTopic}: partitions are created by {@link #createPartitions} calls, then
     * the topic is listed by {@link #complete}, or everything created is deleted by {@link #abort}. A marker file,
     * {@code .creating-<topic>} in the data directory, stands until the end: a restart deletes the partitions of a
     * creation it finds unfinished, so a topic never reappears with fewer partitions than asked for. One thread.
     */
    public final class TopicCreation
    {
        private final String topic;
        private final LogConfig config;
        private final Map<String, String> overrides;
        private final PartitionLog[] logs;
        private final File marker;
        private int created;
        private boolean ended;

        private TopicCreation(final String topic, final LogConfig config, final Map<String, String> overrides,
            final PartitionLog[] logs, final File marker)
        {
            this.topic = topic;
            this.config = config;
            this.overrides = overrides;
            this.logs = logs;
            this.marker = marker;
        }

        /** @return the topic's name. */
        public String topic()
        {
            return topic;
        }

        /**
         * Create up to {@code max} more partitions, each with a starter segment of about a megabyte.
         *
         * @param max partitions to create now, at least 1.
         * @return true once every partition is created.
         * @throws LogStorageException after aborting the creation, if a partition cannot be created.
         */
        public boolean createPartitions(final int max)
        {
            synchronized (LogManager.this)
            {
                if (ended)
                {
                    throw new IllegalStateException("the creation of " + topic + " has ended");
                }
                try
                {
                    checkOpen();
                    final int end = Math.min(logs.length, created + Math.max(1, max));
                    while (created < end)
                    {
                        final File dir = partitionDirectory(topic, created);
                        if (dir.exists())
                        {
                            throw new LogStorageException("partition directory already exists: " + dir);
                        }
                        if (!dir.mkdirs())
                        {
                            throw new LogStorageException("cannot create partition directory " + dir);
                        }
                        try
                        {
                            writeOverrides(dir, overrides);
                            logs[created] = PartitionLog.open(topic, created, dir, config, logClock);
                        }
                        catch (final RuntimeException ex)
                        {
                            deleteDirectory(dir);
                            throw ex;
                        }
                        created++;
                    }
                    return created == logs.length;
                }
                catch (final RuntimeException ex)
                {
                    abort();
                    throw ex;
                }
            }
        }

        /**
         * List the topic, every partition created.
         *
         * @return the partition logs, by partition number.
         */
        public List<PartitionLog> complete()
        {
            synchronized (LogManager.this)
            {
                if (ended || created != logs.length)
                {
                    throw new IllegalStateException("the creation of " + topic + " is not ready to complete: " +
                        created + " of " + logs.length + " partitions" + (ended ? ", ended" : ""));
                }
                ended = true;
                creations.remove(topic);
                topicConfigs.put(topic, config);
                topics.put(topic, logs);
                refreshAllLogs();
                deleteMarker();
                return List.of(logs);
            }
        }

        /**
         * Delete every partition created so far and give the name back. Does nothing once ended.
         */
        public void abort()
        {
            synchronized (LogManager.this)
            {
                if (ended)
                {
                    return;
                }
                ended = true;
                creations.remove(topic);
                for (int p = 0; p < created; p++)
                {
                    logs[p].delete();
                }
                deleteMarker();
            }
        }

        private void deleteMarker()
        {
            if (!marker.delete())
            {
                LOG.warn("cannot delete {}", marker);
            }
        }
    }

    /**
     * Open one partition of a topic, creating it empty if it is not here: how a broker of a cluster takes on a
     * replica assigned to it. The topic's configuration is the default with {@code overrides}, written next to the
     * partition, unless another partition of the topic is here: then the new one takes that one's overrides, so a
     * topic has one configuration. A partition already here is returned as it is.
     *
     * @param topic     name.
     * @param partition number, at least 0.
     * @param overrides of the default configuration for this topic.
     * @return the partition's log.
     * @throws IllegalArgumentException if the name or configuration is invalid.
     */
    public synchronized PartitionLog openPartition(
        final String topic, final int partition, final Map<String, String> overrides)
    {
        checkOpen();
        validateTopicName(topic);
        if (partition < 0)
        {
            throw new IllegalArgumentException("partition must not be negative: " + partition);
        }
        final PartitionLog existing = log(topic, partition);
        if (null != existing)
        {
            return existing;
        }
        final PartitionLog sibling = allLogs.length == 0 ? null : java.util.Arrays.stream(topics.getOrDefault(
            topic, new PartitionLog[0])).filter(java.util.Objects::nonNull).findFirst().orElse(null);
        final Map<String, String> kept = null == sibling ? overrides : readOverrides(sibling.directory());
        final LogConfig config = ctx.defaultConfig().with(kept);
        final File dir = partitionDirectory(topic, partition);
        final boolean created = !dir.exists();
        if (created && !dir.mkdirs())
        {
            throw new LogStorageException("cannot create partition directory " + dir);
        }
        final PartitionLog log;
        try
        {
            writeOverrides(dir, kept);
            log = PartitionLog.open(topic, partition, dir, config, logClock);
        }
        catch (final RuntimeException ex)
        {
            if (created)
            {
                deleteDirectory(dir);
            }
            throw ex;
        }
        final PartitionLog[] logs = topics.get(topic);
        final PartitionLog[] updated = null == logs ? new PartitionLog[partition + 1] :
            java.util.Arrays.copyOf(logs, Math.max(logs.length, partition + 1));
        updated[partition] = log;
        topicConfigs.put(topic, config);
        topics.put(topic, updated);
        refreshAllLogs();
        return log;
    }

    /**
     * Delete one partition of a topic and its files, as a broker does when its replica is moved away or its topic
     * deleted. Its writer must have stopped; readers get {@link LogReadResult#LOG_CLOSED}.
     *
     * @param topic     name.
     * @param partition number.
     * @return true if it was here.
     */
    public synchronized boolean deletePartition(final String topic, final int partition)
    {
        checkOpen();
        final PartitionLog log = log(topic, partition);
        if (null == log)
        {
            return false;
        }
        final PartitionLog[] logs = topics.get(topic).clone();
        logs[partition] = null;
        if (java.util.Arrays.stream(logs).allMatch(java.util.Objects::isNull))
        {
            topics.remove(topic);
            topicConfigs.remove(topic);
        }
        else
        {
            topics.put(topic, logs);
        }
        refreshAllLogs();
        log.delete();
        return true;
    }

    /**
     * Delete a topic and its files. Its writers must have stopped; readers get {@link LogReadResult#LOG_CLOSED}.
     *
     * @param topic to delete.
     * @return true if it existed.
     */
    public synchronized boolean deleteTopic(final String topic)
    {
        checkOpen();
        final PartitionLog[] logs = topics.remove(topic);
        topicConfigs.remove(topic);
        if (null == logs)
        {
            return false;
        }
        refreshAllLogs();
        for (final PartitionLog log : logs)
        {
            if (null != log)
            {
                log.delete();
            }
        }
        return true;
    }

    /**
     * The log of a partition.
     *
     * @param topic     name.
     * @param partition number.
     * @return the log, or null if the topic or partition does not exist.
     */
    public PartitionLog log(final String topic, final int partition)
    {
        final PartitionLog[] logs = topics.get(topic);
        return null == logs || partition < 0 || partition >= logs.length ? null : logs[partition];
    }

    /**
     * Number of partitions of a topic.
     *
     * @param topic name.
     * @return the count, or 0 if the topic does not exist; with partial topics, one more than the highest partition
     * here.
     */
    public int partitionCount(final String topic)
    {
        final PartitionLog[] logs = topics.get(topic);
        return null == logs ? 0 : logs.length;
    }

    /**
     * Configuration of a topic.
     *
     * @param topic name.
     * @return the config, or null if the topic does not exist.
     */
    public LogConfig topicConfig(final String topic)
    {
        return topicConfigs.get(topic);
    }

    /**
     * Names of every topic.
     *
     * @return sorted topic names.
     */
    public List<String> topics()
    {
        return new ArrayList<>(new TreeSet<>(topics.keySet()));
    }

    /** @return the data directory. */
    public File dataDirectory()
    {
        return dataDirectory;
    }

    /**
     * Invoker of the maintenance agent in {@link MaintenanceMode#INVOKER} mode.
     *
     * @return the invoker, or null in dedicated mode.
     */
    public AgentInvoker maintenanceInvoker()
    {
        return maintenanceInvoker;
    }

    /**
     * Stop maintenance, close every log (forcing its data to the device) and unlock the data directory. Writers
     * must have stopped.
     */
    public synchronized void close()
    {
        if (closed)
        {
            return;
        }
        for (final TopicCreation creation : new ArrayList<>(creations.values()))
        {
            creation.abort();
        }
        closed = true;
        CloseHelper.closeAll(maintenanceRunner, maintenanceInvoker);
        for (final PartitionLog[] logs : topics.values())
        {
            CloseHelper.closeAll(logs);
        }
        topics.clear();
        try
        {
            lock.release();
        }
        catch (final IOException ignore)
        {
            // closing the channel releases the lock as well
        }
        CloseHelper.close(lockChannel);
        OPEN_IN_THIS_PROCESS.remove(lockKey);
    }

    private static String canonicalPath(final File dir)
    {
        try
        {
            return dir.getCanonicalPath();
        }
        catch (final IOException ex)
        {
            throw new LogStorageException("cannot resolve data directory " + dir, ex);
        }
    }

    private void refreshAllLogs()
    {
        allLogs = topics.values().stream().flatMap(java.util.Arrays::stream)
            .filter(java.util.Objects::nonNull).toArray(PartitionLog[]::new);
    }

    static void validateTopicName(final String topic)
    {
        if (null == topic || !TOPIC_NAME.matcher(topic).matches() || ".".equals(topic) || "..".equals(topic))
        {
            throw new IllegalArgumentException(
                "invalid topic name '" + topic + "': use 1 to 200 of a-z A-Z 0-9 . _ -, not . or ..");
        }
    }

    private File partitionDirectory(final String topic, final int partition)
    {
        return new File(dataDirectory, topic + '-' + partition);
    }

    private void checkOpen()
    {
        if (closed)
        {
            throw new IllegalStateException("log manager is closed");
        }
    }

    private void loadAll()
    {
        deleteUnfinishedCreations();
        final File[] dirs = dataDirectory.listFiles(File::isDirectory);
        if (null == dirs)
        {
            throw new LogStorageException("cannot list data directory " + dataDirectory);
        }

        final Map<String, TreeMap<Integer, File>> found = new TreeMap<>();
        for (final File dir : dirs)
        {
            final java.util.regex.Matcher matcher = PARTITION_DIR.matcher(dir.getName());
            if (matcher.matches() && TOPIC_NAME.matcher(matcher.group(1)).matches())
            {
                found.computeIfAbsent(matcher.group(1), (k) -> new TreeMap<>())
                    .put(Integer.parseInt(matcher.group(2)), dir);
            }
            else
            {
                LOG.warn("ignoring {}: not a <topic>-<partition> directory", dir);
            }
        }

        for (final Map.Entry<String, TreeMap<Integer, File>> entry : found.entrySet())
        {
            final String topic = entry.getKey();
            final TreeMap<Integer, File> partitions = entry.getValue();
            if (!ctx.partialTopics && (partitions.firstKey() != 0 || partitions.lastKey() != partitions.size() - 1))
            {
                throw new LogStorageException("topic " + topic + " has partitions " + partitions.keySet() +
                    " in " + dataDirectory + ": expected 0 to " + (partitions.size() - 1));
            }
            final LogConfig config = ctx.defaultConfig().with(readOverrides(partitions.firstEntry().getValue()));
            final PartitionLog[] logs = new PartitionLog[partitions.lastKey() + 1];
            for (final Map.Entry<Integer, File> p : partitions.entrySet())
            {
                logs[p.getKey()] = PartitionLog.open(topic, p.getKey(), p.getValue(), config, logClock);
            }
            topicConfigs.put(topic, config);
            topics.put(topic, logs);
            LOG.info("opened topic {} with partitions {}", topic, partitions.keySet());
        }
        refreshAllLogs();
    }

    /**
     * Delete the partitions of every topic whose creation a stop interrupted, and its marker.
     */
    private void deleteUnfinishedCreations()
    {
        final File[] markers = dataDirectory.listFiles((dir, name) -> name.startsWith(CREATING_PREFIX));
        if (null == markers)
        {
            return;
        }
        for (final File marker : markers)
        {
            final String topic = marker.getName().substring(CREATING_PREFIX.length());
            final File[] dirs = dataDirectory.listFiles((dir, name) ->
            {
                final java.util.regex.Matcher matcher = PARTITION_DIR.matcher(name);
                return matcher.matches() && matcher.group(1).equals(topic);
            });
            LOG.warn("deleting {} partitions of topic {}: its creation did not finish",
                null == dirs ? 0 : dirs.length, topic);
            if (null != dirs)
            {
                for (final File dir : dirs)
                {
                    deleteDirectory(dir);
                }
            }
            if (!marker.delete())
            {
                throw new LogStorageException("cannot delete " + marker);
            }
        }
    }

    private static void deleteDirectory(final File dir)
    {
        final File[] files = dir.listFiles();
        if (null != files)
        {
            for (final File file : files)
            {
                if (!file.delete())
                {
                    LOG.warn("cannot delete {}", file);
                }
            }
        }
        if (dir.exists() && !dir.delete())
        {
            LOG.warn("cannot delete {}", dir);
        }
    }

    private static void writeOverrides(final File dir, final Map<String, String> overrides)
    {
        final Properties properties = new Properties();
        properties.putAll(overrides);
        try (Writer writer = Files.newBufferedWriter(new File(dir, CONFIG_FILE).toPath(), StandardCharsets.UTF_8))
        {
            properties.store(writer, "topic configuration overrides");
        }
        catch (final IOException ex)
        {
            throw new LogStorageException((LogStorageException.isDiskFull(ex) ? "device full writing " : "cannot write ") +
                new File(dir, CONFIG_FILE), ex);
        }
    }

    private static Map<String, String> readOverrides(final File dir)
    {
        final File file = new File(dir, CONFIG_FILE);
        if (!file.exists())
        {
            return Collections.emptyMap();
        }
        final Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file.toPath(), StandardCharsets.UTF_8))
        {
            properties.load(reader);
        }
        catch (final IOException ex)
        {
            throw new LogStorageException("cannot read " + file, ex);
        }
        final Map<String, String> overrides = new TreeMap<>();
        properties.stringPropertyNames().forEach((key) -> overrides.put(key, properties.getProperty(key)));
        return overrides;
    }

    /**
     * Runs {@link PartitionLog#doMaintenance(long)} over every log, reading the clock once per duty cycle.
     */
    private final class MaintenanceAgent implements Agent
    {
        public int doWork()
        {
            final long nowMs = ctx.epochClock().time();
            logClock.update(nowMs);
            int work = 0;
            for (final PartitionLog log : allLogs)
            {
                work += log.doMaintenance(nowMs);
            }
            return work;
        }

        public String roleName()
        {
            return "sluice-log-maintenance";
        }
    }
}
