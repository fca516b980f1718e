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
    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(4096).asReadOnlyBuffer();

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
        final Allocation allocation = Allocation.start(file, length);
        allocation.fill(length);
        return allocation.map();
    }

    /**
     * A new file being zero-filled a chunk at a time, so a maintenance duty cycle never blocks for a whole segment;
     * mapped once complete. Writing zeros makes the file system allocate (or, with delayed allocation, reserve) the
     * blocks now and report a full device here. The zeros go out in 4 KiB writes: larger writes leave large
     * page-cache folios behind, and every later write fault through the mapping then dirties a whole folio
     * (measured: appends 3x slower).
     * <p>
     * The zeros are dirty page cache until written: left to the kernel, every segment prepared in the same few
     * seconds (a broker's first minute, a burst of new topics) is written back together 30 s later
     * ({@code vm.dirty_expire_centisecs}), hundreds of megabytes at once, while the writers are appending. So the
     * thread that fills in steps writes each step out ({@link #writeOut()}) before the next; a file created whole (a
     * starter segment, on the writer's thread) is not forced, as that would put the device on the writer's path.
     */
    static final class Allocation
    {
        private static final int CHUNK = 4096;

        private final File file;
        private final FileChannel channel;
        private final int length;
        private long filled;
        private long writtenOut;

        private Allocation(final File file, final FileChannel channel, final int length)
        {
            this.file = file;
            this.channel = channel;
            this.length = length;
        }

        static Allocation start(final File file, final int length)
        {
            try
            {
                Files.deleteIfExists(file.toPath());
                return new Allocation(file, new RandomAccessFile(file, "rw").getChannel(), length);
            }
            catch (final IOException ex)
            {
                throw storageException(file, ex);
            }
        }

        /**
         * Write up to {@code maxBytes} more zeros.
         *
         * @return true once the whole file is filled.
         * @throws LogStorageException after deleting the file, if the device is full or the write fails.
         */
        boolean fill(final int maxBytes)
        {
            try
            {
                final long end = Math.min(length, filled + maxBytes);
                final ByteBuffer zeros = ZEROS.duplicate();
                while (filled < end)
                {
                    zeros.clear().limit((int)Math.min(CHUNK, end - filled));
                    while (zeros.hasRemaining())
                    {
                        filled += channel.write(zeros, filled);
                    }
                }
                return filled == length;
            }
            catch (final IOException | RuntimeException ex)
            {
                abandon();
                throw storageException(file, ex);
            }
        }

        long filled()
        {
            return filled;
        }

        /**
         * Write the zeros filled so far to the device (fdatasync), unless they are already.
         *
         * @throws LogStorageException after deleting the file, if the write fails.
         */
        void writeOut()
        {
            if (writtenOut == filled)
            {
                return;
            }
            try
            {
                channel.force(false);
                writtenOut = filled;
            }
            catch (final IOException | RuntimeException ex)
            {
                abandon();
                throw storageException(file, ex);
            }
        }

        /**
         * @return bytes of zeros filled and not yet written to the device by {@link #writeOut()}.
         */
        long unwrittenBytes()
        {
            return filled - writtenOut;
        }

        MappedFile map()
        {
            try
            {
                return new MappedFile(file, channel, channel.map(FileChannel.MapMode.READ_WRITE, 0, length), length);
            }
            catch (final IOException | RuntimeException ex)
            {
                abandon();
                throw storageException(file, ex);
            }
        }

        void abandon()
        {
            try
            {
                channel.close();
                Files.deleteIfExists(file.toPath());
            }
            catch (final IOException ignore)
            {
                // recovery deletes what is left of an abandoned allocation
            }
        }

        private static LogStorageException storageException(final File file, final Exception ex)
        {
            return new LogStorageException(
                (LogStorageException.isDiskFull(ex) ? "device full creating " : "cannot create ") + file, ex);
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
                    IoUtil.fill(channel, size, minLength - size, (byte)0);
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
