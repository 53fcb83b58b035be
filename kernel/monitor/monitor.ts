// kernel/monitor/monitor.ts: the interactive monitor (command line `monitor`).
//
// monitorRun turns interrupts on (the timer, COM1's receiver and the
// keyboard, each unmasked once its handler is installed, then STI), then
// loops: prompt, read a line (monitor/line.ts), split it (monitor/words.ts),
// run it (monitor/commands.ts). It never returns; `halt` ends the run.
//
// Each line runs under a resume point (core/resume.ts): a command that the
// kernel refuses with panicAt prints the panic's message and lands back in
// runLine, which gives back what the command held (commandPendingPage) and
// returns to the prompt. The kernel's checks run before anything changes,
// so the state is what it was before the line.

import { resumeSave } from "../arch/x86/cpu";
import { print, println } from "../core/console";
import { interruptsOn, irqInstall } from "../core/interrupts";
import { MultibootInfo } from "../core/multiboot";
import { resumeArm, resumeDisarm, resumePoint } from "../core/resume";
import { IRQ_KEYBOARD, keyboardInit, keyboardIrq } from "../drivers/keyboard";
import { IRQ_TIMER, pitStart, pitTick } from "../drivers/pit";
import { IRQ_COM1, serialIrq, serialReceiveOn } from "../drivers/serial";
import { pageRelease } from "../mm/mem";
import { commandPendingPage, commandRun, commandsInit } from "./commands";
import { lineRead, lineText } from "./line";
import { wordsSplit } from "./words";

/** The prompt, printed before each line. */
export const PROMPT = "tsk> ";

/** Runs the monitor. Does not return. */
export function monitorRun(info: MultibootInfo): void {
  commandsInit(info);
  interruptsStart();
  println("monitor: interrupts on (timer 100 Hz, COM1, keyboard); type help for the commands");
  while (true) {
    print(PROMPT);
    runLine(lineRead());
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

/**
 * Runs one line of `length` bytes under the resume point. Kept out of line
 * (tools/noinline.mjs): resumeSave returns here a second time after a
 * refusal, so this frame must be a real one, and it keeps nothing live
 * across that call but its own return.
 */
export function runLine(length: i32): void {
  if (resumeSave(resumePoint()) != 0) {
    const page = commandPendingPage();
    if (page != 0) pageRelease(page);
    return;
  }
  resumeArm();
  wordsSplit(lineText(), length);
  commandRun();
  resumeDisarm();
}
