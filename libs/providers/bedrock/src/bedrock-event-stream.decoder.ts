import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';

/** One decoded frame: typed headers and the payload bytes. */
export type EventStreamMessage = ReturnType<EventStreamCodec['decode']>;

/**
 * The largest frame accepted. A frame carries one event; the longest a model writes in one is a
 * whole answer's text or tool input (64K output tokens ≈ 256 KiB), so 1 MiB is four times that.
 * The SDK's own chunker allocates whatever length a frame's prelude claims (up to 4 GiB).
 */
export const MAX_FRAME_BYTES = 1024 * 1024;

/** Prelude (total length, headers length, prelude CRC) plus the message CRC. */
const MIN_FRAME_BYTES = 16;

/** The byte stream is not a valid `application/vnd.amazon.eventstream` (bad length, CRC, headers). */
export class EventStreamFrameError extends Error {}

/**
 * Splits an `application/vnd.amazon.eventstream` body into frames as bytes arrive, in pieces of
 * any size, and decodes each with the AWS event-stream codec (CRC checks, typed headers). Only
 * the splitting at each frame's 4-byte length prefix is done here, bounded by MAX_FRAME_BYTES;
 * each byte is copied once, however small the pieces.
 */
export class EventStreamDecoder {
  private readonly codec = new EventStreamCodec(toUtf8, fromUtf8);
  /** The current frame's 4-byte length prefix while it arrives. */
  private readonly prefix = Buffer.alloc(4);
  private prefixFilled = 0;
  /** The current frame, allocated once at its declared (bounded) length and filled as bytes arrive. */
  private frame: Buffer | undefined;
  private filled = 0;

  feed(bytes: Uint8Array): EventStreamMessage[] {
    const messages: EventStreamMessage[] = [];
    let offset = 0;
    while (offset < bytes.length) {
      if (!this.frame) {
        const taken = Math.min(4 - this.prefixFilled, bytes.length - offset);
        this.prefix.set(bytes.subarray(offset, offset + taken), this.prefixFilled);
        this.prefixFilled += taken;
        offset += taken;
        if (this.prefixFilled < 4) break;
        const length = this.prefix.readUInt32BE(0);
        if (length < MIN_FRAME_BYTES || length > MAX_FRAME_BYTES) {
          throw new EventStreamFrameError(`a frame declares ${length} bytes (accepted: ${MIN_FRAME_BYTES} to ${MAX_FRAME_BYTES})`);
        }
        this.frame = Buffer.allocUnsafe(length);
        this.prefix.copy(this.frame, 0);
        this.filled = 4;
        this.prefixFilled = 0;
      }
      const taken = Math.min(this.frame.length - this.filled, bytes.length - offset);
      this.frame.set(bytes.subarray(offset, offset + taken), this.filled);
      this.filled += taken;
      offset += taken;
      if (this.filled === this.frame.length) {
        const whole = this.frame;
        this.frame = undefined;
        messages.push(this.decode(whole));
      }
    }
    return messages;
  }

  /** The body ended: bytes of an unfinished frame mean it was cut. */
  get midFrame(): boolean {
    return this.frame !== undefined || this.prefixFilled > 0;
  }

  private decode(frame: Buffer): EventStreamMessage {
    try {
      return this.codec.decode(frame);
    } catch (error) {
      throw new EventStreamFrameError(`an unreadable frame (${error instanceof Error ? error.message.slice(0, 120) : 'decode failed'})`);
    }
  }
}

/** A string header of a decoded frame (`:message-type`, `:event-type`, `:exception-type`...). */
export function stringHeader(message: EventStreamMessage, name: string): string | undefined {
  const header = message.headers[name];
  return header?.type === 'string' ? header.value : undefined;
}
