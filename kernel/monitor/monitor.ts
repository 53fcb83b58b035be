// kernel/monitor/monitor.ts: the interactive monitor (command line `monitor`).
//
// monitorRun turns interrupts on (the timer, COM1's receiver and the
// keyboard, each unmasked once its handler is installed, then STI), then
// loops: prompt, read a line (monitor/line.ts), cut it into commands at ';'
// and each command into words (monitor/words.ts), run each
// (monitor/commands.ts). It never returns; `halt` ends the run.
//
// Each line runs under a resume point (core/resume.ts): a command that the
// kernel refuses with panicAt prints the panic's message and lands back in
// runCommand, which gives back what the command held (commandPendingFrame)
// and goes on with the next command. The kernel's checks run before anything changes,
// so the state is what it was before the line.

import { resumeSave } from "../arch/x86/cpu";
import { consoleQuiet, print, printDec, println } from "../core/console";
import { interruptsOn, irqInstall } from "../core/irq";
import { MultibootInfo } from "../core/multiboot";
import { resumeArm, resumeDisarm, resumePoint } from "../core/resume";
import { inputTakeInterrupt } from "../drivers/input";
import { IRQ_KEYBOARD, keyboardInit, keyboardIrq } from "../drivers/keyboard";
import { IRQ_TIMER, pitStart, pitTick } from "../drivers/pit";
import { IRQ_COM1, serialIrq, serialReceiveOn } from "../drivers/serial";
import { frameRelease } from "../mm/frames";
import { commandPendingFrame, commandRepeatFrom, commandTookInterrupt, commandRepeatPending, commandRepeating, commandRepeatTimes, commandRun, commandsInit } from "./commands";
import { lineRead, lineText } from "./line";
import { wordsSplit } from "./words";

/** The prompt, printed before each line. */
export const PROMPT = "tsk> ";

@inline const CHAR_SEMICOLON: u8 = 0x3B;

// All runs of a repeat but the last are muted.
let quietRun = false;
// Commands run since the monitor started.
let commandsRun: u32 = 0;

/** Runs the monitor. Does not return. */
export function monitorRun(info: MultibootInfo): void {
  commandsInit(info);
  interruptsStart();
  println("monitor: interrupts on (timer 100 Hz, COM1, keyboard); type help for the commands");
  while (true) {
    print(PROMPT);
    const length = lineRead();
    runLine(lineText(), length);
  }
}

// The one place interrupts are turned on: every handler is installed (and
// its line unmasked) before STI, so no IRQ arrives before its handler.
function interruptsStart(): void {
  irqInstall(IRQ_TIMER, pitTick);
  pitStart();
  keyboardInit();
  irqInstall(IRQ_KEYBOARD, keyboardIrq);
  irqInstall(IRQ_COM1, serialIrq);
  serialReceiveOn();
  interruptsOn();
}

// Runs a line: its commands, then the repetitions a `repeat` asked for,
// through the same path (split, look up, run under the resume point).
function runLine(text: usize, length: i32): void {
  const end = text + <usize>length;
  if (!runCommands(text, end)) return;
  const times = commandRepeatTimes();
  const from = commandRepeatFrom();
  commandRepeating(true);
  const first = commandsRun;
  let runs: u32 = 0;
  let interrupted = false;
  commandTookInterrupt(); // one taken before the repeat began is not for it
  for (; runs < times; runs++) {
    // Ctrl-C typed meanwhile stops the repeat between two runs, and so does
    // one a command (vmmap) took to stop itself.
    if (inputTakeInterrupt() || commandTookInterrupt()) {
      interrupted = true;
      break;
    }
    quietRun = runs + 1 < times;
    runCommands(from, end);
  }
  quietRun = false;
  consoleQuiet(false);
  commandRepeating(false);
  print(interrupted ? "repeat: interrupted (Ctrl-C) after " : "repeat: ");
  printDec(runs);
  print(" runs, ");
  printDec(commandsRun - first);
  println(" commands");
}

// Runs the ';'-separated commands in [text, end); stops early, returning
// true, after a `repeat` (the rest of the line is what it repeats).
function runCommands(text: usize, end: usize): bool {
  let start = text;
  for (let at = text; at <= end; at++) {
    if (at < end && load<u8>(at) != CHAR_SEMICOLON) continue;
    consoleQuiet(quietRun); // a report may have turned it off
    runCommand(start, <i32>(at - start));
    if (commandRepeatPending()) return true;
    start = at + 1;
  }
  return false;
}

/**
 * Runs one command of `length` bytes at `text` under the resume point. Kept
 * out of line (tools/build/noinline.mjs): resumeSave returns here a second time
 * after a refusal, so this frame must be a real one, and it keeps nothing
 * live across that call but its own arguments.
 */
export function runCommand(text: usize, length: i32): void {
  if (resumeSave(resumePoint()) != 0) {
    const frame = commandPendingFrame();
    if (frame != 0) frameRelease(frame);
    return;
  }
  commandsRun++;
  resumeArm();
  wordsSplit(text, length);
  commandRun();
  resumeDisarm();
}
