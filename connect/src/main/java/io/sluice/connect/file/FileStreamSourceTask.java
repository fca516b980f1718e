package io.sluice.connect.file;

import io.sluice.connect.SourceRecord;
import io.sluice.connect.SourceTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads complete lines (ended by {@code \n}; a trailing {@code \r} dropped) from the position after the last line
 * sent. Its source partition is {@code {"file": absolute path}}; its offset {@code {"position": bytes, "file.key":
 * the file's identity}}, the identity being the file system's key (device and inode on Linux), so that:
 * <ul>
 *   <li>after a restart, the task resumes at the stored position if the file is the same one, and at the start of
 *   a new file if it was rotated meanwhile (the rest of the old one, if any was unread, is not read: it is gone
 *   from that path);</li>
 *   <li>while running, when the path names a new file (rotation), the task reads the old file to its end first,
 *   then the new one from its start; a file shorter than the position (truncated) is read again from its start.</li>
 * </ul>
 * A partial last line waits for its end. No key; the value is the line as a string.
 */
public final class FileStreamSourceTask extends SourceTask
{
    private static final Logger LOG = LoggerFactory.getLogger(FileStreamSourceTask.class);
    private static final long IDLE_MS = 50;

    private Path path;
    private String topic;
    private int batchSize;
    private Map<String, ?> partition;
    private FileChannel channel;
    private Object fileKey;
    private long position;
    private final ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
    private final java.io.ByteArrayOutputStream pending = new java.io.ByteArrayOutputStream();

    public void start(final Map<String, String> config)
    {
        final Map<String, Object> values = FileStreamSourceConnector.CONFIG.parse(config);
        path = Path.of((String)values.get(FileStreamSourceConnector.FILE)).toAbsolutePath();
        topic = (String)values.get(FileStreamSourceConnector.TOPIC);
        batchSize = (Integer)values.get(FileStreamSourceConnector.BATCH_SIZE);
        partition = Map.of("file", path.toString());
        final Map<String, Object> stored = context.offset(partition);
        if (null != stored && open() && String.valueOf(fileKey).equals(String.valueOf(stored.get("file.key"))))
        {
            position = ((Number)stored.get("position")).longValue();
            LOG.info("{}: resuming at byte {}", path, position);
        }
        else if (null != stored)
        {
            LOG.info("{}: the file is not the one of the stored offset (rotated?): reading it from its start", path);
        }
    }

    /**
     * @return true if the file is open (it exists).
     */
    private boolean open()
    {
        try
        {
            channel = FileChannel.open(path, StandardOpenOption.READ);
            fileKey = Files.readAttributes(path, BasicFileAttributes.class).fileKey();
            position = 0;
            pending.reset();
            return true;
        }
        catch (final NoSuchFileException ex)
        {
            return false;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot open " + path, ex);
        }
    }

    public List<SourceRecord> poll() throws InterruptedException
    {
        try
        {
            if (null == channel && !open())
            {
                Thread.sleep(IDLE_MS);
                return List.of();
            }
            final List<SourceRecord> records = read();
            if (records.isEmpty())
            {
                followRotation();
                Thread.sleep(IDLE_MS);
            }
            return records;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read " + path, ex);
        }
    }

    private List<SourceRecord> read() throws IOException
    {
        final List<SourceRecord> records = new ArrayList<>();
        long lineStart = position - pending.size();
        while (records.size() < batchSize)
        {
            buffer.clear();
            final int read = channel.read(buffer, position);
            if (read <= 0)
            {
                break;
            }
            buffer.flip();
            while (buffer.hasRemaining() && records.size() < batchSize)
            {
                final byte b = buffer.get();
                position++;
                if ('\n' == b)
                {
                    byte[] line = pending.toByteArray();
                    if (line.length > 0 && '\r' == line[line.length - 1])
                    {
                        line = java.util.Arrays.copyOf(line, line.length - 1);
                    }
                    pending.reset();
                    records.add(new SourceRecord(partition, Map.of("position", position, "file.key",
                        String.valueOf(fileKey)), topic, null, null, new String(line, StandardCharsets.UTF_8), null));
                    lineStart = position;
                }
                else
                {
                    pending.write(b);
                }
            }
        }
        if (records.size() >= batchSize)
        {
            // Stopped inside the buffer: read the rest of the line again next time.
            position = lineStart;
            pending.reset();
        }
        return records;
    }

    private void followRotation() throws IOException
    {
        final Object current;
        try
        {
            current = Files.readAttributes(path, BasicFileAttributes.class).fileKey();
        }
        catch (final NoSuchFileException ex)
        {
            return; // renamed away, its successor not there yet
        }
        if (!String.valueOf(current).equals(String.valueOf(fileKey)))
        {
            LOG.info("{} was rotated: reading the new file from its start", path);
            channel.close();
            open();
        }
        else if (channel.size() < position)
        {
            LOG.info("{} was truncated: reading it from its start", path);
            position = 0;
            pending.reset();
        }
    }

    public void stop()
    {
        if (null != channel)
        {
            try
            {
                channel.close();
            }
            catch (final IOException ignore)
            {
                // nothing to release
            }
        }
    }
}
