/** Op and broadcast-mode codes shared with native/eltwise.cc (keep the numbers in sync). */
export enum UnaryOp {
  Relu = 0,
  Sigmoid = 1,
  Step = 2,
  Silu = 3,
  Neg = 4,
  Square = 5,
  Exp = 6,
  Rsqrt = 7,
  Sqrt = 8,
  Softplus = 9,
}

export enum BinaryOp {
  Add = 0,
  Sub = 1,
  Mul = 2,
  Div = 3,
  SquaredDifference = 4,
  Max = 5,
  Min = 6,
}

export enum BroadcastMode {
  Same = 0,
  /** b is one value per channel (last axis) */
  BChannel = 1,
  /** a is one value per channel */
  AChannel = 2,
  BScalar = 3,
  AScalar = 4,
}
