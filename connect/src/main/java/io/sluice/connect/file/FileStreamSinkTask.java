package io.sluice.connect.file;

import io.sluice.connect.RetriableException;
import io.sluice.connect.SinkRecord;
import io.sluice.connect.SinkTask;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collection;
import java.util.Map;

/**
 * Appends values as lines ({@code null} for a null value, as Kafka's file sink prints it); {@link #flush} forces
 * the file. A failed write is a {@link RetriableException}: the runtime retries the batch (so a line may be written
 * twice if a write failed half way, at least once).
 */
public final class FileStreamSinkTask extends SinkTask
{
    private FileChannel channel;
    private Path path;

    public void start(final Map<String, String> config)
    {
        path = Path.of((String)FileStreamSinkConnector.CONFIG.parse(config).get(FileStreamSinkConnector.FILE));
        try
        {
            channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot open " + path, ex);
        }
    }

    public void put(final Collection<SinkRecord> records)
    {
        final StringBuilder lines = new StringBuilder();
        for (final SinkRecord record : records)
        {
            lines.append(record.value()).append('\n');
        }
        final ByteBuffer bytes = ByteBuffer.wrap(lines.toString().getBytes(StandardCharsets.UTF_8));
        try
        {
            while (bytes.hasRemaining())
            {
                channel.write(bytes);
            }
        }
        catch (final IOException ex)
        {
            throw new RetriableException("cannot append to " + path + ": " + ex.getMessage(), ex);
        }
    }

    public void flush()
    {
        try
        {
            channel.force(false);
        }
        catch (final IOException ex)
        {
            throw new RetriableException("cannot force " + path + ": " + ex.getMessage(), ex);
        }
    }

    public void stop()
    {
        try
        {
            channel.close();
        }
        catch (final IOException ignore)
        {
            // closing a file we only appended to and forced loses nothing
        }
    }
}
