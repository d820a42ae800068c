/**
 * What every external family's config section says about the trainer: the command that starts it, its own
 * options (passed through `hello`), how each generation's model starts, and how long silence is tolerated.
 */
import { z } from 'zod';

export const trainerFields = {
  /** The program and its arguments, e.g. ["python3", "examples/external/torch_lm.py"]; no shell. */
  command: z.array(z.string().min(1)).min(1),
  /** Its working folder (default: the lab's). */
  cwd: z.string().min(1).optional(),
  /** Extra environment variables for it. */
  env: z.record(z.string(), z.string()).optional(),
  /** The trainer's own options (model size, learning rate, epochs...), handed to it unread in `hello`. */
  trainer: z.record(z.string(), z.unknown()).default({}),
  /** How generation g's model starts: 'scratch' (fresh weights), 'base' (the trainer's pretrained model) or 'previous'. */
  init: z.enum(['scratch', 'base', 'previous']).default('scratch'),
  /** How a model with no previous one starts (generation 0, the held-out model) when init is 'previous'. */
  firstInit: z.enum(['scratch', 'base']).default('scratch'),
  /** Seconds a request may go without an answer or a progress event before the trainer counts as hung. */
  timeoutSeconds: z.number().positive().max(86_400).default(600),
  /** How many times one request restarts a crashed or hung trainer (from the models' saved state) before failing. */
  restarts: z.number().int().min(0).max(10).default(1),
};

export type TrainerOptions = z.infer<z.ZodObject<typeof trainerFields>>;
