package io.sluice.streams.runtime;

import io.sluice.client.Acks;
import io.sluice.client.AssignmentListener;
import io.sluice.client.Assignor;
import io.sluice.client.ConsumerOptions;
import io.sluice.client.ConsumerRecord;
import io.sluice.client.Header;
import io.sluice.client.OffsetReset;
import io.sluice.client.ProducerOptions;
import io.sluice.client.ProducerRecord;
import io.sluice.client.Serdes;
import io.sluice.client.SluiceClient;
import io.sluice.client.TopicPartition;
import io.sluice.streams.StreamsApp;
import io.sluice.streams.StreamsConfig;
import io.sluice.streams.Topology;
import io.sluice.streams.internals.Checkpoint;
import io.sluice.streams.internals.RecordCollector;
import io.sluice.streams.internals.StoreDef;
import io.sluice.streams.internals.StreamTask;
import io.sluice.transport.TopicDescription;
import org.reactivestreams.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The application's processing: one consumer (the group of the application id, {@link Assignor#RANGE}) reading every
 * source topic, one producer, and the tasks, each a sub-topology on one partition, run on one thread of its own (the
 * <em>stream thread</em>, the one owner of the tasks). Not part of the API.
 * <p>
 * Threads: records arrive on the client's I/O thread and move to the stream thread with {@code publishOn}; the
 * assignment listener, also on the I/O thread, only queues what changed (a lock-free queue) for the stream thread,
 * which takes it before each record and every {@value #ASSIGNMENT_POLL_MS} ms. Restoring a new task's stores blocks the
 * stream thread (not the I/O thread) until its changelogs are read.
 * <p>
 * The commit rule: every commit interval the stream thread closes a {@link CommitRound}; each task that took part ends
 * its epoch with a {@link Checkpoint} (positions, stream time, origins), written to the application's checkpoint topic
 * once the broker has acknowledged every record the round sent (sinks, repartition topics, changelogs). Only when the
 * checkpoints are acknowledged are the round's input records acknowledged, so that the consumer commits their offsets.
 * A restarted task restores its stores to its checkpoint exactly (see {@link StreamTask}). At most one round is being
 * written at a time. Backpressure: the stream thread asks the consumer for records while fewer than
 * {@link StreamsConfig#maxInFlightRecords()} are processed and not yet acknowledged by the broker (see {@link Intake});
 * at the limit it asks no more, and the consumer grants the broker no more credit.
 */
public final class StreamThread
{
    /**
     * Told of the application's state changes; called on the stream thread or the I/O thread, must not block.
     */
    @FunctionalInterface
    public interface StateListener
    {
        /**
         * @param next   state.
         * @param reason for the log.
         */
        void onStateChange(StreamsApp.State next, String reason);
    }

    static final long ASSIGNMENT_POLL_MS = 20;
    private static final Logger LOG = LoggerFactory.getLogger(StreamThread.class);

    /**
     * Partitions taken or given up, as the listener heard of them.
     */
    private record AssignmentChange(boolean assigned, Collection<TopicPartition> partitions)
    {
    }

    /**
     * A task and the source partitions it has been assigned (its sub-topology's topics, partition p).
     */
    private record Task(StreamsApp.TaskId id, StreamTask task, Set<String> topics)
    {
    }

    private final String applicationId;
    private final StreamsConfig config;
    private final SluiceClient client;
    private final StateListener stateListener;
    private final Map<String, Topology.Subtopology> subtopologyByTopic = new HashMap<>();
    private final Set<String> sourceTopics = new LinkedHashSet<>();
    private final ScheduledExecutorService executor;
    private final Scheduler scheduler;
    private final RecordSender sender;
    private final ConcurrentLinkedQueue<AssignmentChange> changes = new ConcurrentLinkedQueue<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicBoolean failed = new AtomicBoolean();
    private final AtomicLong keysRolledBack = new AtomicLong();
    private volatile boolean checkpointsHeld;

    // Stream thread only.
    private final Map<StreamsApp.TaskId, Task> tasks = new TreeMap<>(
        (a, b) -> a.subtopology() != b.subtopology() ? Integer.compare(a.subtopology(), b.subtopology()) :
            Integer.compare(a.partition(), b.partition()));
    private final List<ProducerRecord<byte[], byte[], Runnable>> batch = new ArrayList<>();
    private final String checkpointTopic;
    private PendingInput current;
    private CommitRound round;
    /** The round whose checkpoints are being written, or null. */
    private CommitRound closing;
    /** The checkpoint topic as read for the assignment being taken, or null if not read yet. */
    private Map<String, Checkpoint> checkpointsRead;

    // Written by one thread, read by others.
    private volatile int maxInFlightSeen;
    private volatile List<StreamTask> running = List.of();
    private volatile Set<StreamsApp.TaskId> runningIds = Set.of();
    private volatile boolean stopping;
    /** Partitions the consumer holds, as the listener counts them (written on the I/O thread only). */
    private volatile int owned;
    private volatile Disposable receiving;
    private final Intake intake;
    private Disposable polling;
    private Disposable committing;

    /**
     * @param applicationId the group and the internal topics' prefix.
     * @param topology      to run.
     * @param config        of the application.
     * @param client        connected.
     * @param stateListener told of state changes.
     */
    public StreamThread(final String applicationId, final Topology topology, final StreamsConfig config,
        final SluiceClient client, final StateListener stateListener)
    {
        this.applicationId = applicationId;
        this.config = config;
        this.client = client;
        this.stateListener = stateListener;
        this.checkpointTopic = checkpointTopic(applicationId);
        this.round = newRound();
        for (final Topology.Subtopology subtopology : topology.subtopologies())
        {
            for (final String topic : subtopology.sourceTopics(applicationId))
            {
                subtopologyByTopic.put(topic, subtopology);
                sourceTopics.add(topic);
            }
        }
        final String name = "sluice-streams-" + applicationId;
        this.executor = Executors.newSingleThreadScheduledExecutor((runnable) ->
        {
            final Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        });
        // A plain executor, not Schedulers.newSingle: restoration blocks this thread, which Reactor refuses on its
        // own non-blocking threads.
        this.scheduler = Schedulers.fromExecutorService(executor, name);
        this.intake = new Intake(config.maxInFlightRecords());
        this.sender = new RecordSender(client.producer(
            ProducerOptions.create(Serdes.bytesSerializer(), Serdes.bytesSerializer())
                .withAcks(Acks.ALL)
                .withIdempotence(true)), (error) -> fail("a send failed", error));
    }

    /**
     * @param applicationId of the application.
     * @return its checkpoint topic: one partition, compacted, a record per task.
     */
    public static String checkpointTopic(final String applicationId)
    {
        return applicationId + "-checkpoints";
    }

    /**
     * Join the group and start processing what it assigns.
     */
    public void start()
    {
        final ConsumerOptions<byte[], byte[]> options =
            ConsumerOptions.create(Serdes.bytesDeserializer(), Serdes.bytesDeserializer())
                .withGroupId(applicationId)
                .withTopics(sourceTopics.toArray(new String[0]))
                .withAssignor(Assignor.RANGE) // partition p of co-partitioned topics to one member
                .withOffsetReset(OffsetReset.EARLIEST)
                .withCommitInterval(config.commitInterval())
                .withHeartbeatInterval(config.heartbeatInterval())
                .withAssignmentListener(new Listener());
        polling = scheduler.schedulePeriodically(this::takeAssignmentChanges, ASSIGNMENT_POLL_MS, ASSIGNMENT_POLL_MS,
            TimeUnit.MILLISECONDS);
        final long commitMs = Math.max(1, config.commitInterval().toMillis());
        committing = scheduler.schedulePeriodically(this::commit, commitMs, commitMs, TimeUnit.MILLISECONDS);
        receiving = intake;
        client.consumer(options)
            .receive()
            .publishOn(scheduler, Math.min(config.maxInFlightRecords(), 256))
            .subscribe(intake);
    }

    /**
     * Takes records on the stream thread and asks for more so that at most {@code limit} are processed and not yet
     * durable. It asks from the stream thread while under the limit; only when it stopped asking (the limit reached)
     * does an acknowledgement, on the I/O thread, ask again, once the count is down to half. Reactor's
     * {@code flatMap} asked one-for-one from whichever thread completed a record, and each such request from the I/O
     * thread woke the stream thread: two wake-ups per record instead of one.
     */
    private final class Intake extends BaseSubscriber<ConsumerRecord<byte[], byte[]>>
    {
        private final int limit;
        private final int batch;
        /** Requested and not yet delivered. */
        private final AtomicLong outstanding = new AtomicLong();
        /** Set by the stream thread when it stops asking; cleared by whichever thread asks again. */
        private final AtomicBoolean paused = new AtomicBoolean();

        Intake(final int limit)
        {
            this.limit = limit;
            this.batch = Math.max(1, limit / 4);
        }

        protected void hookOnSubscribe(final Subscription subscription)
        {
            outstanding.set(limit);
            subscription.request(limit);
        }

        protected void hookOnNext(final ConsumerRecord<byte[], byte[]> record)
        {
            outstanding.decrementAndGet();
            if (process(record))
            {
                askForMore();
            }
        }

        protected void hookOnError(final Throwable error)
        {
            fail("the receive failed", error);
        }

        /**
         * On the stream thread, after each record.
         */
        private void askForMore()
        {
            final long want = limit - inFlight.get() - outstanding.get();
            if (want >= batch)
            {
                ask(want);
            }
            else if (0 == outstanding.get())
            {
                paused.set(true);
                askAgainIfPaused(); // an acknowledgement may have come between the count and the flag
            }
        }

        /**
         * An input record became durable (any thread): it leaves the count in flight; ask again if the stream thread
         * stopped asking and the count is down to half the limit.
         */
        void onDurable()
        {
            inFlight.decrementAndGet();
            askAgainIfPaused();
        }

        private void askAgainIfPaused()
        {
            if (paused.get() && inFlight.get() <= limit / 2 && paused.compareAndSet(true, false))
            {
                ask(limit - inFlight.get() - outstanding.get());
            }
        }

        private void ask(final long count)
        {
            if (count > 0)
            {
                outstanding.addAndGet(count);
                request(count);
            }
        }
    }

    /**
     * The tasks' side of the assignment listener: queue the change for the stream thread. On the I/O thread.
     */
    private final class Listener implements AssignmentListener
    {
        private int count;

        public void onAssigned(final Collection<TopicPartition> partitions)
        {
            changes.add(new AssignmentChange(true, partitions));
            count += partitions.size();
            owned = count;
        }

        public void onRevoked(final Collection<TopicPartition> partitions)
        {
            changes.add(new AssignmentChange(false, partitions));
            count -= partitions.size();
            owned = count;
        }
    }

    // ------------------------------------------------------------------------------------------ stream thread

    /**
     * Process one record: its task forwards it through the sub-topology, what it writes goes to the producer; the
     * record counts as in flight until the broker has acknowledged everything it caused.
     *
     * @return false if the application failed on it.
     */
    private boolean process(final ConsumerRecord<byte[], byte[]> record)
    {
        takeAssignmentChanges();
        if (stopping)
        {
            return true; // not acknowledged: whoever reads the partition next processes it
        }
        final Topology.Subtopology subtopology = subtopologyByTopic.get(record.topic());
        final Task task = tasks.get(new StreamsApp.TaskId(subtopology.id(), record.partition()));
        if (null == task)
        {
            return true; // its partition was given up while the record waited for this thread
        }
        final PendingInput pending = new PendingInput(intake::onDurable, round);
        current = pending;
        try
        {
            if (!task.task().process(record.topic(), record.offset(), record.timestamp(), record.key(),
                record.value(), record.headers()))
            {
                record.acknowledge(); // before the task's checkpoint: its state has it
                return true;
            }
        }
        catch (final RuntimeException ex)
        {
            batch.clear();
            fail("task " + task.id() + " failed on " + record.topicPartition() + "@" + record.offset(), ex);
            return false;
        }
        finally
        {
            current = null;
        }
        round.add(task.id(), record);
        if (batch.isEmpty())
        {
            return true;
        }
        final int now = inFlight.incrementAndGet();
        if (now > maxInFlightSeen)
        {
            maxInFlightSeen = now;
        }
        pending.expect(batch.size());
        try
        {
            sender.send(batch);
        }
        catch (final IllegalStateException ex)
        {
            fail("cannot send", ex);
            return false;
        }
        finally
        {
            batch.clear();
        }
        return true;
    }

    private void takeAssignmentChanges()
    {
        try
        {
            AssignmentChange change;
            boolean changed = false;
            checkpointsRead = null;
            while (null != (change = changes.poll()))
            {
                changed = true;
                if (change.assigned())
                {
                    assign(change.partitions());
                }
                else
                {
                    revoke(change.partitions());
                }
            }
            if (changed)
            {
                running = tasks.values().stream().map(Task::task).toList();
                runningIds = Set.copyOf(tasks.keySet());
                if (!stopping)
                {
                    stateListener.onStateChange(tasks.isEmpty() ? StreamsApp.State.REBALANCING :
                        StreamsApp.State.RUNNING, "tasks " + runningIds);
                }
            }
        }
        catch (final RuntimeException ex)
        {
            fail("cannot take the assignment", ex);
        }
    }

    private void assign(final Collection<TopicPartition> partitions)
    {
        for (final TopicPartition tp : partitions)
        {
            final Topology.Subtopology subtopology = subtopologyByTopic.get(tp.topic());
            final StreamsApp.TaskId id = new StreamsApp.TaskId(subtopology.id(), tp.partition());
            Task task = tasks.get(id);
            if (null == task)
            {
                if (stopping)
                {
                    continue;
                }
                task = new Task(id, newTask(id, subtopology, tp.partition()), new HashSet<>());
                restore(task);
                tasks.put(id, task);
                LOG.info("{}: task {} created", applicationId, id);
            }
            task.topics().add(tp.topic());
        }
    }

    private void revoke(final Collection<TopicPartition> partitions)
    {
        for (final TopicPartition tp : partitions)
        {
            final StreamsApp.TaskId id =
                new StreamsApp.TaskId(subtopologyByTopic.get(tp.topic()).id(), tp.partition());
            final Task task = tasks.get(id);
            if (null != task)
            {
                task.topics().remove(tp.topic());
                if (task.topics().isEmpty())
                {
                    tasks.remove(id);
                    task.task().close();
                    LOG.info("{}: task {} closed", applicationId, id);
                }
            }
        }
    }

    private StreamTask newTask(final StreamsApp.TaskId id, final Topology.Subtopology subtopology,
        final int partition)
    {
        // What processors write from init is sent in this round, awaited by no input record.
        current = new PendingInput(null, round);
        try
        {
            final StreamTask task =
                new StreamTask(applicationId, subtopology, partition, new Collector(partition));
            sendUnawaited(id);
            return task;
        }
        finally
        {
            current = null;
        }
    }

    /**
     * Send what a task wrote outside of any input record (init, a restore's roll-backs) in the current round, with
     * {@link #current} made for it.
     */
    private void sendUnawaited(final StreamsApp.TaskId id)
    {
        if (!batch.isEmpty())
        {
            current.expect(batch.size());
            round.add(id, null);
            sender.send(batch);
            batch.clear();
        }
    }

    /**
     * A task's output, into the batch of the record being processed.
     */
    private final class Collector implements RecordCollector
    {
        private final int partition;

        Collector(final int partition)
        {
            this.partition = partition;
        }

        public void send(final String topic, final int toPartition, final byte[] key, final byte[] value,
            final long timestamp)
        {
            send(topic, toPartition, key, value, timestamp, List.of());
        }

        public void send(final String topic, final int toPartition, final byte[] key, final byte[] value,
            final long timestamp, final List<Header> headers)
        {
            batch.add(new ProducerRecord<>(topic,
                toPartition >= 0 ? Integer.valueOf(toPartition) : null == key ? Integer.valueOf(partition) : null,
                timestamp, key, value, current, headers));
        }
    }

    // ------------------------------------------------------------------------------------------ commits

    private CommitRound newRound()
    {
        return new CommitRound((durable) -> onStreamThread(() -> writeCheckpoints(durable)));
    }

    private void onStreamThread(final Runnable action)
    {
        try
        {
            executor.execute(action);
        }
        catch (final RejectedExecutionException ex)
        {
            LOG.debug("{}: stopped; not run", applicationId);
        }
    }

    /**
     * Every commit interval: close the round unless the last one is still being written.
     */
    private void commit()
    {
        if (null == closing && !round.isEmpty() && !failed.get())
        {
            closing = round;
            round = newRound();
            current = new PendingInput(null, closing);
            try
            {
                closing.close((id) ->
                {
                    final Task task = tasks.get(id);
                    return null == task ? null : task.task();
                });
                if (!batch.isEmpty())
                {
                    current.expect(batch.size()); // the epoch's store changes, logged as it ends
                    sender.send(batch);
                }
                closing.seal();
            }
            catch (final RuntimeException ex)
            {
                // A store's serializer that throws, or a send that has ended: nothing of the round is acknowledged,
                // and the application fails rather than leaving the periodic commit to die unseen.
                fail("cannot log the round's store changes", ex);
            }
            finally
            {
                batch.clear();
                current = null;
            }
        }
    }

    /**
     * The round's sends are acknowledged: write its checkpoints, for the tasks still here.
     */
    private void writeCheckpoints(final CommitRound written)
    {
        if (checkpointsHeld)
        {
            return; // as if the process died with the round's sends acknowledged: the round stays open for good
        }
        takeAssignmentChanges(); // a task given up since must not write a checkpoint over its new owner's
        final List<ProducerRecord<byte[], byte[], Runnable>> records = new ArrayList<>();
        final List<StreamsApp.TaskId> ids = new ArrayList<>();
        for (final Map.Entry<StreamsApp.TaskId, Checkpoint> entry : written.checkpoints().entrySet())
        {
            final Task task = tasks.get(entry.getKey());
            if (null != task && task.task() == written.snapshotted(entry.getKey()))
            {
                ids.add(entry.getKey());
            }
        }
        final AtomicInteger remaining = new AtomicInteger(ids.size());
        final Runnable onWritten = () ->
        {
            if (remaining.decrementAndGet() == 0)
            {
                onStreamThread(() -> roundWritten(written, ids));
            }
        };
        for (final StreamsApp.TaskId id : ids)
        {
            records.add(new ProducerRecord<>(checkpointTopic, 0, null,
                Checkpoint.key(id.subtopology(), id.partition()).getBytes(StandardCharsets.UTF_8),
                written.checkpoints().get(id).encode(), onWritten, List.of()));
        }
        if (ids.isEmpty())
        {
            roundWritten(written, ids);
            return;
        }
        try
        {
            sender.send(records);
        }
        catch (final IllegalStateException ex)
        {
            fail("cannot write checkpoints", ex);
        }
    }

    private void roundWritten(final CommitRound written, final List<StreamsApp.TaskId> ids)
    {
        for (final StreamsApp.TaskId id : ids)
        {
            final Task task = tasks.get(id);
            if (null != task && task.task() == written.snapshotted(id))
            {
                task.task().checkpointAcknowledged();
                written.acknowledgeInputs(id);
            }
        }
        if (closing == written)
        {
            closing = null;
        }
    }

    /**
     * @return whether nothing processed is unwritten: no round open with work, none being written.
     */
    private boolean commitAll()
    {
        if (null == closing && round.isEmpty())
        {
            return true;
        }
        commit();
        return false;
    }

    /**
     * Read the checkpoint topic, once per assignment taken: the last checkpoint of each task.
     */
    private Map<String, Checkpoint> checkpoints()
    {
        if (null != checkpointsRead)
        {
            return checkpointsRead;
        }
        final Map<String, Checkpoint> read = new HashMap<>();
        readToEnd(new TopicPartition(checkpointTopic, 0), (record) ->
        {
            final String key = new String(record.key(), StandardCharsets.UTF_8);
            if (null == record.value())
            {
                read.remove(key);
            }
            else
            {
                read.put(key, Checkpoint.decode(record.value()));
            }
        });
        checkpointsRead = read;
        return read;
    }

    /**
     * Read a partition from its start to the high watermark it has now, blocking the stream thread.
     *
     * @param tp     to read.
     * @param reader given each record.
     * @return the high watermark read up to.
     */
    private long readToEnd(
        final TopicPartition tp, final Consumer<ConsumerRecord<byte[], byte[]>> reader)
    {
        final TopicDescription.PartitionDescription log = client.admin().describeTopic(tp.topic())
            .block(config.restoreTimeout()).partitions().get(tp.partition());
        final long end = log.highWatermark();
        if (end > log.logStartOffset())
        {
            for (final ConsumerRecord<byte[], byte[]> record : client.consumer(
                    ConsumerOptions.create(Serdes.bytesDeserializer(), Serdes.bytesDeserializer())
                        .withAssignment(tp)
                        .withSeek(tp, ConsumerOptions.BEGINNING))
                .receive()
                .takeUntil((r) -> r.offset() >= end - 1)
                .timeout(config.restoreTimeout())
                .toIterable(256))
            {
                reader.accept(record);
            }
        }
        return end;
    }

    /**
     * Take the task's checkpoint, read each store's changelog partition from its start to the end it has now, put
     * every committed change back and roll back the uncommitted ones (logged again). Blocks the stream thread.
     */
    private void restore(final Task task)
    {
        final List<StoreDef> stores = task.task().subtopology().stores();
        final Checkpoint checkpoint =
            checkpoints().get(Checkpoint.key(task.id().subtopology(), task.id().partition()));
        task.task().beginRestore(checkpoint);
        if (!stores.isEmpty())
        {
            stateListener.onStateChange(StreamsApp.State.RESTORING, "task " + task.id());
        }
        final int partition = task.id().partition();
        for (final StoreDef store : stores)
        {
            final TopicPartition changelog = new TopicPartition(store.changelogTopic(applicationId), partition);
            final long[] restored = new long[1];
            final long end = readToEnd(changelog, (change) ->
            {
                task.task().restore(store.name(), change.key(), change.value(), change.headers());
                restored[0]++;
            });
            if (restored[0] > 0)
            {
                LOG.info("{}: task {} restored {} changes of store {} from {} up to offset {}", applicationId,
                    task.id(), restored[0], store.name(), changelog, end);
            }
        }
        current = new PendingInput(null, round);
        try
        {
            final int rolledBack = task.task().finishRestore();
            keysRolledBack.addAndGet(rolledBack);
            if (rolledBack > 0)
            {
                LOG.info("{}: task {} rolled back {} keys changed after its checkpoint (epoch {})", applicationId,
                    task.id(), rolledBack, null == checkpoint ? 0 : checkpoint.epoch());
            }
            sendUnawaited(task.id());
        }
        finally
        {
            current = null;
        }
    }

    // ------------------------------------------------------------------------------------------ other threads

    /**
     * @return the tasks running now (restored), for queries; any thread.
     */
    public List<StreamTask> runningTasks()
    {
        return running;
    }

    /**
     * @return their ids; any thread.
     */
    public Set<StreamsApp.TaskId> runningTaskIds()
    {
        return runningIds;
    }

    /**
     * @return input records processed whose sends are not all acknowledged.
     */
    public int inFlightRecords()
    {
        return inFlight.get();
    }

    /**
     * @return the most {@link #inFlightRecords()} seen.
     */
    public int maxInFlightRecordsSeen()
    {
        return maxInFlightSeen;
    }

    /**
     * @return keys the tasks rolled back while restoring: changes logged after their checkpoints.
     */
    public long keysRolledBack()
    {
        return keysRolledBack.get();
    }

    /**
     * Write no more checkpoints, as if the process died each time just before writing them: rounds are still closed
     * and their store changes logged; for tests of what a restarted instance makes of such changes.
     */
    public void holdCheckpoints()
    {
        checkpointsHeld = true;
    }

    /**
     * Hold every send back, as a broker that stops answering would; for tests.
     */
    public void pauseSends()
    {
        executor.execute(sender::pause);
    }

    /**
     * Send what was held, and go on sending.
     */
    public void resumeSends()
    {
        executor.execute(sender::resume);
    }

    private void fail(final String what, final Throwable error)
    {
        if (failed.compareAndSet(false, true))
        {
            if (!stopping)
            {
                LOG.error("{}: {}; the application stops", applicationId, what, error);
                stateListener.onStateChange(StreamsApp.State.ERROR, what + ": " + error);
            }
            stopping = true;
            final Disposable receive = receiving;
            if (null != receive)
            {
                receive.dispose(); // commits what is acknowledged, leaves the group: others take the partitions
            }
        }
    }

    /**
     * Stop: take no more records, wait for the sends in flight, end the receive (the consumer commits what is
     * acknowledged and leaves the group), then close the tasks. On the closing thread.
     *
     * @param timeout for the sends in flight, then for the final commit.
     */
    public void close(final Duration timeout)
    {
        stopping = true;
        final long deadlineNs = System.nanoTime() + timeout.toNanos();
        awaitUntil(() -> inFlight.get() == 0 || failed.get(), deadlineNs); // a failed send acknowledges nothing
        if (inFlight.get() > 0)
        {
            LOG.warn("{}: closing with {} records whose output is not acknowledged: they are not committed",
                applicationId, inFlight.get());
        }
        else
        {
            awaitUntil(this::committedAll, deadlineNs); // the last round's checkpoints written
        }
        if (null != receiving)
        {
            receiving.dispose();
        }
        awaitUntil(() -> owned == 0, deadlineNs); // the consumer revokes everything once it has committed
        stopThread(deadlineNs);
        sender.close();
    }

    /**
     * Stop without the final commit, as if the process died: for tests. The client must be closed next.
     */
    public void abort()
    {
        stopping = true;
        failed.set(true);
        sender.abort();
        stopThread(System.nanoTime());
    }

    private boolean committedAll()
    {
        if (failed.get())
        {
            return true;
        }
        try
        {
            final Future<Boolean> done = executor.submit(this::commitAll);
            return done.get();
        }
        catch (final RejectedExecutionException | ExecutionException ex)
        {
            return true;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return true;
        }
    }

    private void stopThread(final long deadlineNs)
    {
        if (null != polling)
        {
            polling.dispose();
        }
        if (null != committing)
        {
            committing.dispose();
        }
        executor.shutdown();
        try
        {
            if (!executor.awaitTermination(Math.max(0, deadlineNs - System.nanoTime()), TimeUnit.NANOSECONDS))
            {
                executor.shutdownNow();
                executor.awaitTermination(5, TimeUnit.SECONDS);
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        scheduler.dispose();
        // The stream thread has ended: its tasks are this thread's now.
        for (final Task task : tasks.values())
        {
            task.task().close();
        }
        tasks.clear();
        running = List.of();
        runningIds = Set.of();
    }

    private static void awaitUntil(final BooleanSupplier condition, final long deadlineNs)
    {
        while (!condition.getAsBoolean() && System.nanoTime() - deadlineNs < 0)
        {
            try
            {
                Thread.sleep(5);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
