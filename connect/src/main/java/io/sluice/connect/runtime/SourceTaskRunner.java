package io.sluice.connect.runtime;

import io.sluice.client.Acks;
import io.sluice.client.ProducerOptions;
import io.sluice.client.ProducerRecord;
import io.sluice.client.SendResult;
import io.sluice.client.Serdes;
import io.sluice.client.SluiceClient;
import io.sluice.client.SluiceProducer;
import io.sluice.connect.DataException;
import io.sluice.connect.RetriableException;
import io.sluice.connect.SourceRecord;
import io.sluice.connect.SourceTask;
import io.sluice.connect.Transform;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs one source task on its own thread ({@code sluice-connect-<connector>-<id>}): polls it, converts its records,
 * sends each poll's records with an idempotent {@code acks=all} producer and waits for their acknowledgements, then
 * notes each source partition's latest offset; every {@code offset.flush.interval.ms}, and when it stops, it stores
 * the offsets noted. So an offset is stored only for records the topic has (at least once): a crash between the
 * acknowledgements and the next store makes a restart send the records since the stored offsets again; a clean stop
 * stores everything acknowledged, so a restart neither loses nor repeats a record.
 */
final class SourceTaskRunner extends TaskRunner
{
    private static final Logger LOG = LoggerFactory.getLogger(SourceTaskRunner.class);
    private static final Duration SEND_TIMEOUT = Duration.ofSeconds(60);

    private final SourceTask task;
    private final Map<String, String> config;
    private final ConnectorSettings settings;
    private final TransformChain transforms;
    private final OffsetStore offsets;
    private final TopicCreator topics;
    private final long flushIntervalNs;
    private final SluiceProducer<byte[], byte[]> producer;
    private final Map<Map<String, ?>, Map<String, ?>> acknowledged = new LinkedHashMap<>();
    private final Thread thread;
    private volatile boolean running = true;

    SourceTaskRunner(final String connector, final int id, final SourceTask task, final Map<String, String> config,
        final ConnectorSettings settings, final TransformChain transforms, final SluiceClient client,
        final OffsetStore offsets, final TopicCreator topics, final long flushIntervalMs)
    {
        super(connector, id);
        this.task = task;
        this.config = config;
        this.settings = settings;
        this.transforms = transforms;
        this.offsets = offsets;
        this.topics = topics;
        this.flushIntervalNs = TimeUnit.MILLISECONDS.toNanos(flushIntervalMs);
        this.producer = client.producer(ProducerOptions.create(Serdes.bytesSerializer(), Serdes.bytesSerializer())
            .withAcks(Acks.ALL)
            .withIdempotence(true));
        this.thread = new Thread(this::run, "sluice-connect-" + connector + "-" + id);
    }

    void start()
    {
        thread.start();
    }

    void stop()
    {
        running = false;
        try
        {
            thread.join(TimeUnit.SECONDS.toMillis(90));
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    private void run()
    {
        boolean started = false;
        try
        {
            task.initialize((partition) -> offsets.offset(connector, partition));
            task.start(config);
            started = true;
            state = "RUNNING";
            long flushDeadlineNs = System.nanoTime() + flushIntervalNs;
            long backoffMs = settings.retryBackoffMs();
            while (running)
            {
                final List<SourceRecord> polled;
                try
                {
                    polled = task.poll();
                    backoffMs = settings.retryBackoffMs();
                }
                catch (final RetriableException ex)
                {
                    lastError = ex.getMessage();
                    LOG.warn("{}-{}: poll failed, retrying in {} ms: {}", connector, id, backoffMs, ex.getMessage());
                    Thread.sleep(backoffMs);
                    backoffMs = Math.min(10_000, backoffMs * 2);
                    continue;
                }
                if (null != polled && !polled.isEmpty())
                {
                    send(polled);
                }
                if (System.nanoTime() - flushDeadlineNs >= 0)
                {
                    storeOffsets();
                    flushDeadlineNs = System.nanoTime() + flushIntervalNs;
                }
            }
        }
        catch (final Throwable ex)
        {
            LOG.error("{}-{} failed", connector, id, ex);
            failed(ex);
        }
        finally
        {
            try
            {
                if (started)
                {
                    task.stop();
                }
                storeOffsets();
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
        }
    }

    private void send(final List<SourceRecord> polled)
    {
        final List<ProducerRecord<byte[], byte[], SourceRecord>> out = new ArrayList<>(polled.size());
        for (final SourceRecord record : polled)
        {
            try
            {
                final Transform.Record transformed = transforms.apply(new Transform.Record(record.topic(),
                    record.key(), record.value(), null == record.timestamp() ? System.currentTimeMillis() :
                    record.timestamp()));
                if (null == transformed)
                {
                    acknowledged.put(record.sourcePartition(), record.sourceOffset()); // filtered out: done with
                    continue;
                }
                topics.ensure(transformed.topic());
                out.add(new ProducerRecord<>(transformed.topic(), record.partition(), transformed.timestamp(),
                    settings.keyConverter().fromConnectData(transformed.topic(), transformed.key()),
                    settings.valueConverter().fromConnectData(transformed.topic(), transformed.value()), record));
            }
            catch (final DataException ex)
            {
                if (!settings.tolerateErrors())
                {
                    throw ex;
                }
                LOG.warn("{}-{}: skipping a record of {}: {}", connector, id, record.sourcePartition(),
                    ex.getMessage());
                acknowledged.put(record.sourcePartition(), record.sourceOffset()); // skipped: its offset is done
            }
        }
        final List<SendResult<SourceRecord>> results = producer.send(Flux.fromIterable(out)).collectList()
            .block(SEND_TIMEOUT);
        for (final SendResult<SourceRecord> result : results)
        {
            if (!result.isSuccess())
            {
                throw new IllegalStateException("sending to " + result.topic() + " failed: " +
                    result.exception().getMessage(), result.exception());
            }
        }
        // Results come back in the order sent within a partition; the offsets are noted in the order polled.
        for (final ProducerRecord<byte[], byte[], SourceRecord> record : out)
        {
            acknowledged.put(record.correlationMetadata().sourcePartition(),
                record.correlationMetadata().sourceOffset());
        }
        records += out.size();
    }

    private void storeOffsets()
    {
        if (!acknowledged.isEmpty())
        {
            offsets.write(connector, new LinkedHashMap<>(acknowledged));
            acknowledged.clear();
        }
    }
}
