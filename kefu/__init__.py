"""Kefu (客服): the operations platform of an online shop's customer-service team."""
