/*
 * Bare-metal startup for QEMU's mps2 machines (Cortex-M4 an386, Cortex-M7
 * an500): the vector table, .data/.bss initialisation, then main() with
 * newlib's semihosting (rdimon) for printf and the exit code. Linked with
 * -nostartfiles, so nothing else runs before main.
 */
#include <stdint.h>
#include <stdlib.h>

extern uint32_t __stack_top;
extern uint32_t __data_load, __data_start, __data_end;
extern uint32_t __bss_start, __bss_end;

extern int main(void);
extern void initialise_monitor_handles(void);

void reset_handler(void);
void fault_handler(void);

typedef void (*vector_fn)(void);

/* Initial SP, reset, then the Cortex-M system exceptions. Interrupts stay disabled. */
__attribute__((section(".vectors"), used)) const vector_fn vector_table[16] = {
    (vector_fn)(uintptr_t)&__stack_top,
    reset_handler,
    fault_handler, /* NMI */
    fault_handler, /* HardFault */
    fault_handler, /* MemManage */
    fault_handler, /* BusFault */
    fault_handler, /* UsageFault */
    0, 0, 0, 0,
    fault_handler, /* SVCall */
    fault_handler, /* DebugMonitor */
    0,
    fault_handler, /* PendSV */
    fault_handler, /* SysTick */
};

/*
 * A fault would otherwise spin until the test's timeout: report it through
 * semihosting SYS_EXIT (0x18) with reason ADP_Stopped_RunTimeErrorUnknown,
 * which QEMU turns into exit status 1. Registers only, no stack: the fault
 * may be a stack overflow.
 */
__attribute__((naked)) void fault_handler(void) {
  __asm__ volatile(
      "movs r0, #0x18\n"
      "ldr r1, =0x20023\n"
      "bkpt #0xab\n"
      "b .\n");
}

void reset_handler(void) {
#if defined(__ARM_FP)
  /* Code built for an FPU (a hard-float TFLM, say) faults on its first float
   * instruction unless CP10 and CP11 are enabled first (CPACR). */
  *(volatile uint32_t *)0xE000ED88u |= 0xFu << 20;
  __asm__ volatile("dsb\n isb\n");
#endif
  uint32_t *src = &__data_load, *dst = &__data_start;
  while (dst < &__data_end) *dst++ = *src++;
  for (dst = &__bss_start; dst < &__bss_end;) *dst++ = 0;
  initialise_monitor_handles();
  exit(main());
}
