package io.sluice.connect.runtime;

import io.sluice.client.Acks;
import io.sluice.client.ConsumerOptions;
import io.sluice.client.Header;
import io.sluice.client.ProducerOptions;
import io.sluice.client.ProducerRecord;
import io.sluice.client.SendResult;
import io.sluice.client.SluiceProducer;
import io.sluice.client.ConsumerRecord;
import io.sluice.client.OffsetReset;
import io.sluice.client.Serdes;
import io.sluice.client.SluiceClient;
import io.sluice.connect.DataException;
import io.sluice.connect.RetriableException;
import io.sluice.connect.SinkRecord;
import io.sluice.connect.SinkTask;
import io.sluice.connect.Transform;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Runs one sink task: a member of the consumer group {@code connect-<connector>} reading its topics, whose records
 * reach the task in batches (up to {@value #MAX_BATCH} records or {@value #MAX_WAIT_MS} ms) on the task's own thread,
 * one batch at a time: {@code put}, then {@code flush}, then the batch's records are acknowledged, so the group's
 * committed offsets never pass a record the external system does not have. A {@link RetriableException} from put or
 * flush retries the whole batch after a backoff (doubling up to 10 s) until {@code errors.retry.timeout.ms}; then, as
 * for any other failure, {@code errors.tolerance=none} fails the task and {@code all} logs and skips the batch. Only
 * one batch is in the task's hands at a time, so a slow external system slows the consumer down (back-pressure).
 */
final class SinkTaskRunner extends TaskRunner
{
    static final int MAX_BATCH = 500;
    static final long MAX_WAIT_MS = 100;
    private static final Logger LOG = LoggerFactory.getLogger(SinkTaskRunner.class);
    private static final long MAX_BACKOFF_MS = 10_000;

    private final SinkTask task;
    private final Map<String, String> config;
    private final ConnectorSettings settings;
    private final TransformChain transforms;
    private final SluiceClient client;
    private final Scheduler scheduler;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean running = true;
    private Disposable subscription;
    private boolean started;
    private final SluiceProducer<byte[], byte[]> deadLetters;
    /** What the last batch given up on failed with; the task's thread. */
    private RuntimeException gaveUpOn;

    SinkTaskRunner(final String connector, final int id, final SinkTask task, final Map<String, String> config,
        final ConnectorSettings settings, final TransformChain transforms, final SluiceClient client)
    {
        super(connector, id);
        this.task = task;
        this.config = config;
        this.settings = settings;
        this.transforms = transforms;
        this.client = client;
        // A plain executor's thread, not Reactor's non-blocking single: tasks block (JDBC, files), and so does the
        // dead-letter producer's wait.
        final String threadName = "sluice-connect-" + connector + "-" + id;
        this.scheduler = Schedulers.fromExecutorService(java.util.concurrent.Executors.newSingleThreadExecutor(
            (runnable) -> new Thread(runnable, threadName)), threadName);
        this.deadLetters = settings.deadLetterTopic().isEmpty() ? null : client.producer(
            ProducerOptions.create(Serdes.bytesSerializer(), Serdes.bytesSerializer()).withAcks(Acks.ALL));
    }

    void start()
    {
        scheduler.schedule(() ->
        {
            try
            {
                task.start(config);
                started = true;
                state = "RUNNING";
            }
            catch (final Throwable ex)
            {
                LOG.error("{}-{}: start failed", connector, id, ex);
                failed(ex);
                stopped.countDown();
                return;
            }
            subscription = client.consumer(ConsumerOptions.create(Serdes.bytesDeserializer(),
                    Serdes.bytesDeserializer())
                    .withGroupId("connect-" + connector)
                    .withTopics(settings.topics().toArray(String[]::new))
                    .withOffsetReset(OffsetReset.EARLIEST))
                .receive()
                .bufferTimeout(MAX_BATCH, Duration.ofMillis(MAX_WAIT_MS))
                .concatMap((batch) -> Mono.fromRunnable(() -> deliver(batch)).subscribeOn(scheduler), 1)
                .subscribe(null, (error) ->
                {
                    LOG.error("{}-{} failed", connector, id, error);
                    failed(error);
                    finish();
                }, this::finish);
        });
    }

    private void deliver(final List<ConsumerRecord<byte[], byte[]>> batch)
    {
        if (!running)
        {
            return; // not acknowledged: the group's next member reads them again
        }
        final List<SinkRecord> converted = new ArrayList<>(batch.size());
        for (final ConsumerRecord<byte[], byte[]> record : batch)
        {
            try
            {
                final Transform.Record transformed = transforms.apply(new Transform.Record(record.topic(),
                    settings.keyConverter().toConnectData(record.topic(), record.key()),
                    settings.valueConverter().toConnectData(record.topic(), record.value()), record.timestamp()));
                if (null != transformed)
                {
                    converted.add(new SinkRecord(transformed.topic(), record.partition(), record.offset(),
                        transformed.key(), transformed.value(), transformed.timestamp()));
                }
            }
            catch (final DataException ex)
            {
                if (!settings.tolerateErrors())
                {
                    throw ex;
                }
                LOG.warn("{}-{}: skipping {}-{}@{}: {}", connector, id, record.topic(), record.partition(),
                    record.offset(), ex.getMessage());
                deadLetter(List.of(record), ex);
            }
        }
        if (!putWithRetries(converted))
        {
            deadLetter(batch, gaveUpOn);
        }
        batch.forEach(ConsumerRecord::acknowledge);
        records += converted.size();
    }

    /**
     * @return false if the batch was given up on (errors.tolerance=all).
     */
    private boolean putWithRetries(final List<SinkRecord> converted)
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(settings.retryTimeoutMs());
        long backoffMs = settings.retryBackoffMs();
        while (true)
        {
            try
            {
                task.put(converted);
                task.flush();
                return true;
            }
            catch (final RetriableException ex)
            {
                if (System.nanoTime() - deadlineNs >= 0 || !running)
                {
                    giveUp(ex, converted);
                    return false;
                }
                lastError = ex.getMessage();
                LOG.warn("{}-{}: put failed, retrying in {} ms: {}", connector, id, backoffMs, ex.getMessage());
                sleep(backoffMs);
                backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
            }
            catch (final RuntimeException ex)
            {
                giveUp(ex, converted);
                return false;
            }
        }
    }

    private void giveUp(final RuntimeException ex, final List<SinkRecord> converted)
    {
        if (!settings.tolerateErrors())
        {
            throw ex;
        }
        lastError = ex.getMessage();
        gaveUpOn = ex;
        LOG.warn("{}-{}: skipping a batch of {} records after: {}", connector, id, converted.size(), ex.getMessage());
    }

    /**
     * Send records as they were read to the dead-letter topic, if there is one, with where they came from and the
     * error in headers (Kafka Connect's header names), and wait for the acknowledgements.
     */
    private void deadLetter(final List<ConsumerRecord<byte[], byte[]>> records, final Throwable error)
    {
        if (null == deadLetters)
        {
            return;
        }
        final List<ProducerRecord<byte[], byte[], Void>> letters = new ArrayList<>(records.size());
        for (final ConsumerRecord<byte[], byte[]> record : records)
        {
            final List<Header> headers = new ArrayList<>(record.headers());
            headers.add(Header.of("__connect.errors.topic", record.topic()));
            headers.add(Header.of("__connect.errors.partition", Integer.toString(record.partition())));
            headers.add(Header.of("__connect.errors.offset", Long.toString(record.offset())));
            headers.add(Header.of("__connect.errors.connector.name", connector));
            headers.add(Header.of("__connect.errors.task.id", Integer.toString(id)));
            headers.add(Header.of("__connect.errors.exception.class.name", error.getClass().getName()));
            headers.add(Header.of("__connect.errors.exception.message", String.valueOf(error.getMessage())));
            letters.add(new ProducerRecord<byte[], byte[], Void>(settings.deadLetterTopic(), null, record.timestamp(),
                record.key(), record.value(), null).withHeaders(headers));
        }
        for (final SendResult<Void> result : deadLetters.send(Flux.fromIterable(letters)).collectList()
            .block(Duration.ofSeconds(60)))
        {
            if (!result.isSuccess())
            {
                throw new IllegalStateException("cannot write to the dead-letter topic " + settings.deadLetterTopic() +
                    ": " + result.exception().getMessage(), result.exception());
            }
        }
    }

    private static void sleep(final long millis)
    {
        try
        {
            Thread.sleep(millis);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    private void finish()
    {
        if (stopped.getCount() > 0)
        {
            try
            {
                if (started)
                {
                    task.stop();
                }
            }
            catch (final RuntimeException ex)
            {
                LOG.error("{}-{}: stopping failed", connector, id, ex);
                failed(ex);
            }
            if (!"FAILED".equals(state))
            {
                state = "STOPPED";
            }
            stopped.countDown();
        }
    }

    void stop()
    {
        running = false;
        // On the task's thread, after the batch in hand: cancelling the receive commits what was acknowledged.
        scheduler.schedule(() ->
        {
            if (null != subscription)
            {
                subscription.dispose();
            }
            finish();
        });
        try
        {
            if (!stopped.await(90, TimeUnit.SECONDS))
            {
                LOG.warn("{}-{}: did not stop within 90 s", connector, id);
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        scheduler.dispose();
    }
}
