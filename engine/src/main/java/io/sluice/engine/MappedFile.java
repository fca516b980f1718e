package io.sluice.engine;

import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;

/**
 * A file of fixed length whose disk blocks are allocated when it is created, mapped read-write.
 * <p>
 * Allocating the blocks up front (by writing zeros) is what makes a full device an {@link IOException} at creation
 * instead of a SIGBUS on the first store into a sparse page of the mapping, as Aeron does for its non-sparse term
 * buffers. Not thread-safe for create, rename and
 * close; the mapping itself is shared.
 */
final class MappedFile implements AutoCloseable
{
    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(1024 * 1024).asReadOnlyBuffer();

    private File file;
    private final FileChannel channel;
    private final MappedByteBuffer mapped;
    private final UnsafeBuffer buffer;
    private final int length;

    private MappedFile(final File file, final FileChannel channel, final MappedByteBuffer mapped, final int length)
    {
        this.file = file;
        this.channel = channel;
        this.mapped = mapped;
        this.buffer = new UnsafeBuffer(mapped);
        this.length = length;
    }

    /**
     * Create {@code file} of {@code length} zeroed bytes with its blocks allocated, and map it.
     */
    static MappedFile create(final File file, final int length)
    {
        try
        {
            Files.deleteIfExists(file.toPath());
            final RandomAccessFile raf = new RandomAccessFile(file, "rw");
            final FileChannel channel = raf.getChannel();
            try
            {
                fillWithZeros(channel, 0, length);
                return new MappedFile(file, channel, channel.map(FileChannel.MapMode.READ_WRITE, 0, length), length);
            }
            catch (final IOException | RuntimeException ex)
            {
                channel.close();
                Files.deleteIfExists(file.toPath());
                throw ex;
            }
        }
        catch (final IOException ex)
        {
            throw new LogStorageException(
                (LogStorageException.isDiskFull(ex) ? "device full creating " : "cannot create ") + file, ex);
        }
        catch (final RuntimeException ex)
        {
            if (LogStorageException.isDiskFull(ex))
            {
                throw new LogStorageException("device full creating " + file, ex);
            }
            throw ex;
        }
    }

    /**
     * Map an existing file, growing it to {@code minLength} with allocated zeros if it is shorter.
     */
    static MappedFile open(final File file, final int minLength)
    {
        try
        {
            final RandomAccessFile raf = new RandomAccessFile(file, "rw");
            final FileChannel channel = raf.getChannel();
            try
            {
                final long size = channel.size();
                if (size < minLength)
                {
                    fillWithZeros(channel, size, minLength - size);
                }
                final int length = (int)Math.max(size, minLength);
                return new MappedFile(file, channel, channel.map(FileChannel.MapMode.READ_WRITE, 0, length), length);
            }
            catch (final IOException | RuntimeException ex)
            {
                channel.close();
                throw ex;
            }
        }
        catch (final IOException ex)
        {
            throw new LogStorageException("cannot open " + file, ex);
        }
    }

    /**
     * Write zeros so the file system allocates (or, with delayed allocation, reserves) the blocks now and reports a
     * full device here. No fsync: the blocks need to exist, not to be on the device. Writes in 1 MiB chunks; a
     * 4 KiB loop costs a quarter of a million system calls per GiB.
     */
    private static void fillWithZeros(final FileChannel channel, final long position, final long length)
        throws IOException
    {
        final ByteBuffer zeros = ZEROS.duplicate();
        long at = position;
        final long end = position + length;
        while (at < end)
        {
            zeros.clear().limit((int)Math.min(zeros.capacity(), end - at));
            while (zeros.hasRemaining())
            {
                at += channel.write(zeros, at);
            }
        }
    }

    UnsafeBuffer buffer()
    {
        return buffer;
    }

    int length()
    {
        return length;
    }

    File file()
    {
        return file;
    }

    /**
     * Force {@code [offset, offset + length)} to the device.
     */
    void force(final int offset, final int length)
    {
        if (length > 0)
        {
            mapped.force(offset, length);
        }
    }

    /**
     * Rename the file, keeping the mapping.
     */
    void renameTo(final File target)
    {
        try
        {
            Files.move(file.toPath(), target.toPath(), StandardCopyOption.ATOMIC_MOVE);
            file = target;
        }
        catch (final IOException ex)
        {
            throw new LogStorageException("cannot rename " + file + " to " + target, ex);
        }
    }

    /**
     * Unmap and close; the caller guarantees no thread reads the mapping any more.
     */
    public void close()
    {
        IoUtil.unmap(mapped);
        closeChannel();
    }

    /**
     * Close the file but leave the mapping to the garbage collector, for a mapping that a reader may still use:
     * it stays valid while any buffer wrapping it is reachable.
     */
    void closeChannel()
    {
        try
        {
            channel.close();
        }
        catch (final IOException ignore)
        {
            // the mapping is gone; a failing close of the channel leaves nothing to recover
        }
    }

    /**
     * Close and delete the file.
     */
    void delete()
    {
        close();
        deleteFile();
    }

    void deleteFile()
    {
        try
        {
            Files.deleteIfExists(file.toPath());
        }
        catch (final IOException ex)
        {
            throw new LogStorageException("cannot delete " + file, ex);
        }
    }
}
